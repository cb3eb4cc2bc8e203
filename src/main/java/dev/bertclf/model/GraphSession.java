package dev.bertclf.model;

import dev.bertclf.runtime.ServerSessions;
import dev.bertclf.runtime.TfRuntime;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * One TensorFlow graph with its named variables and, once the model is built into it, its session: what the
 * training graph, the inference graph and the bare encoder each own, and close together. Build ops with
 * {@link #variables()} ({@code variables().scope("")} is the root), then {@link #start} the session.
 */
public final class GraphSession implements AutoCloseable {
    private final Graph graph;
    private final NamedVariables vars;
    private Session session;

    public GraphSession() {
        TfRuntime.engine();
        graph = new Graph();
        vars = new NamedVariables(Ops.create(graph));
    }

    public NamedVariables variables() {
        return vars;
    }

    /** Opens the session on the graph as built so far; {@code config} null for TensorFlow's defaults. */
    public Session start(ConfigProto config) {
        if (session != null) throw new IllegalStateException("the session is already started");
        session = new Session(graph, config);
        return session;
    }

    /** Opens the session on the graph through a TensorFlow server, {@code target} as {@code grpc://host:port}. */
    public Session start(ConfigProto config, String target) {
        if (session != null) throw new IllegalStateException("the session is already started");
        session = ServerSessions.open(graph, config, target);
        return session;
    }

    public Session session() {
        if (session == null) throw new IllegalStateException("the session is not started");
        return session;
    }

    /** Sets every variable by name; see {@link NamedVariables#load}. */
    public void load(Weights weights) {
        vars.load(session(), weights.asMap());
    }

    /** Every variable's current value; the caller closes them. */
    public Weights read() {
        return vars.read(session());
    }

    @Override
    public void close() {
        if (session != null) session.close();
        graph.close();
    }
}
