package dev.bertclf.runtime;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TargetedSession;
import org.tensorflow.proto.ConfigProto;

/**
 * Sessions whose target is a TensorFlow server ({@code grpc://host:port}): the one door to
 * {@link TargetedSession}, the project's only class in TensorFlow's package. It lives there because TF Java's public
 * {@link Session} constructors take no target while its C API does, and {@code Session} wraps such a handle only
 * through a package-private constructor. Nothing else may reach it ({@code ArchitectureTest}), and
 * {@code ServerSessionsTest} fails by name when a TF Java upgrade removes what it relies on, rather than
 * distributed training failing at run time.
 */
public final class ServerSessions {
    private ServerSessions() {}

    /** A session of {@code graph} on the server at {@code target}, configured by {@code config}. */
    public static Session open(Graph graph, ConfigProto config, String target) {
        return TargetedSession.open(graph, config, target);
    }
}
