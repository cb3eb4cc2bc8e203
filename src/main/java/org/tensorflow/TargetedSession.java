package org.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * A session whose target is a TensorFlow server ({@code grpc://host:port}), as Python's {@code tf.compat.v1.Session
 * (target)} opens one. TF Java's public constructors take no target, but its C API does and {@link Session} wraps
 * such a handle through a package-private constructor: hence this one class in TensorFlow's package. Distributed
 * training needs it: collective ops run only in a session of a server that knows the cluster.
 */
public final class TargetedSession {
    private TargetedSession() {}

    public static Session open(Graph graph, ConfigProto config, String target) {
        TF_SessionOptions options = TF_NewSessionOptions();
        try (TF_Status status = TF_Status.newStatus()) {
            TF_SetTarget(options, target);
            byte[] bytes = config.toByteArray();
            TF_SetConfig(options, new BytePointer(bytes), bytes.length, status);
            status.throwExceptionIfNotOK();
            TF_Session handle;
            try (Graph.Reference ref = graph.ref()) {
                handle = TF_NewSession(ref.nativeHandle(), options, status);
            }
            status.throwExceptionIfNotOK();
            return new Session(graph, handle);
        } finally {
            TF_DeleteSessionOptions(options);
        }
    }
}
