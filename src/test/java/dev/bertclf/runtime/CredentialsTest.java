package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * run.json and train.log are meant to be shared: no credential of a URL in them survives, wherever in a text the URL
 * is.
 */
class CredentialsTest {
    @Test
    void userInfoAndQueriesOfEveryUrlAreRedacted() {
        assertEquals("https://***@host/a.tgz", Credentials.redact("https://user:token@host/a.tgz"));
        assertEquals("https://***@host/", Credentials.redact("https://user:p@ss@host/"), "a password holding an @");
        assertEquals(
                "https://bucket.s3.amazonaws.com/x.tgz?***",
                Credentials.redact(
                        "https://bucket.s3.amazonaws.com/x.tgz?X-Amz-Credential=AKIA1&X-Amz-Signature=ab12"));
        assertEquals(
                "--url=https://***@h:8443/p?*** and http://plain/q#frag",
                Credentials.redact("--url=https://u:t@h:8443/p?sig=1 and http://plain/q#frag"));
        assertEquals("no url here", Credentials.redact("no url here"));
        assertEquals(null, Credentials.redact(null));
    }
}
