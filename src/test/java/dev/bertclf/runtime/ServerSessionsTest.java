package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Session;

/**
 * What {@link ServerSessions} relies on in TF Java, checked by name so that an upgrade that changes it fails here,
 * saying what to revisit, instead of in a distributed training run: {@link Session} still wraps a native handle
 * through a constructor {@code (Graph, TF_Session)} that only its package can call, and no public constructor takes
 * a target. The sessions themselves are exercised by the distributed training tests.
 */
class ServerSessionsTest {
    @Test
    void tfJavaStillWrapsANativeSessionOnlyInsideItsPackage() {
        Constructor<?> wrap = assertDoesNotThrow(
                () -> Session.class.getDeclaredConstructor(Graph.class, TF_Session.class),
                "TF Java's Session no longer has a (Graph, TF_Session) constructor: org.tensorflow.TargetedSession "
                        + "must be rewritten for this TF Java version");
        assertTrue(
                !Modifier.isPublic(wrap.getModifiers()) && !Modifier.isPrivate(wrap.getModifiers()),
                "Session(Graph, TF_Session) is " + Modifier.toString(wrap.getModifiers())
                        + " now: if public, drop org.tensorflow.TargetedSession and call it from ServerSessions");
        boolean publicTarget = Arrays.stream(Session.class.getConstructors())
                .anyMatch(c -> Arrays.asList(c.getParameterTypes()).contains(String.class));
        assertTrue(!publicTarget, "TF Java's Session takes a target publicly now: use it, drop TargetedSession");
    }
}
