package dev.bertclf.runtime;

/**
 * A failure the user can act on: bad input, a file or model that cannot serve, an option that does not fit, a
 * machine that lacks something. The command line prints its message alone and exits 1 ({@link
 * InvalidOptionException}: 2). Everything else that escapes a command, an {@code IllegalArgumentException} or
 * {@code IllegalStateException} from a broken precondition above all, is a bug in bert-clf and is printed with its
 * stack trace, which a report needs: so a check of the user's input throws a subtype of this, never a bare
 * {@code IllegalArgumentException}.
 */
public class UserError extends RuntimeException {
    /** With the message the user reads: what is wrong and what to do. */
    public UserError(String message) {
        super(message);
    }

    /** As {@link #UserError(String)}, with the failure it explains. */
    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
