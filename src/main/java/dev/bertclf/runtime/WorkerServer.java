package dev.bertclf.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * This process's TensorFlow gRPC server in a {@link ClusterSpec}: what lets its sessions run collective ops with
 * the other workers. Sessions see only this task's devices (each worker runs its own copy of the graph, as
 * MultiWorkerMirroredStrategy does) and task 0 leads the collective groups. TensorFlow cannot stop a server
 * ({@code Server.stop()} is unimplemented), so it lives as long as the process.
 */
public final class WorkerServer {
    private static final Logger log = LoggerFactory.getLogger(WorkerServer.class);
    /** The one job of the cluster TensorFlow sees; a TF_CONFIG chief is its task 0. */
    static final String JOB = "worker";

    private final ClusterSpec cluster;

    private WorkerServer(ClusterSpec cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts this task's server on its port.
     *
     * @throws InvalidOptionException when the port is taken (by another worker on this host, say)
     */
    public static WorkerServer start(ClusterSpec cluster) {
        TfRuntime.engine();
        int port = cluster.port(cluster.taskIndex());
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new InvalidOptionException("worker " + cluster.taskIndex() + " cannot listen on port " + port + " ("
                    + e.getMessage() + "): the port is in use; give this worker another in --cluster/TF_CONFIG");
        }
        JobDef.Builder job = JobDef.newBuilder().setName(JOB);
        for (int i = 0; i < cluster.size(); i++)
            job.putTasks(i, cluster.workers().get(i));
        ServerDef def = ServerDef.newBuilder()
                .setCluster(ClusterDef.newBuilder().addJob(job))
                .setJobName(JOB)
                .setTaskIndex(cluster.taskIndex())
                .setProtocol("grpc")
                .setDefaultSessionConfig(sessionConfig(cluster, ConfigProto.getDefaultInstance()))
                .build();
        Server server = new Server(def);
        server.start();
        log.info("Worker {} of {} listening on {}", cluster.taskIndex(), cluster.size(), cluster.self());
        return new WorkerServer(cluster);
    }

    public ClusterSpec cluster() {
        return cluster;
    }

    /** Where a session of this task's server connects. */
    public String target() {
        return "grpc://localhost:" + cluster.port(cluster.taskIndex());
    }

    /** {@code base} as a session of this task needs it: only its own devices, task 0 leading the collectives. */
    public ConfigProto sessionConfig(ConfigProto base) {
        return sessionConfig(cluster, base);
    }

    private static ConfigProto sessionConfig(ClusterSpec cluster, ConfigProto base) {
        return base.toBuilder()
                .clearDeviceFilters()
                .addDeviceFilters("/job:" + JOB + "/task:" + cluster.taskIndex())
                .setExperimental(base.getExperimental().toBuilder()
                        .setCollectiveGroupLeader("/job:" + JOB + "/replica:0/task:0"))
                .build();
    }

    /**
     * Waits until every other worker's port accepts connections: a worker that never comes up is then named, after
     * {@code timeout}, instead of the first collective op failing without saying who is missing.
     *
     * @throws DataException naming the workers still missing after {@code timeout}
     */
    public void awaitPeers(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < cluster.size(); i++) {
            if (i == cluster.taskIndex()) continue;
            while (!reachable(cluster.host(i), cluster.port(i))) {
                if (System.nanoTime() > deadline) {
                    throw new DataException(
                            "worker " + i + " (" + cluster.workers().get(i) + ") did not come up "
                                    + "within " + timeout.toSeconds() + " s (--worker-timeout): start it, or check its "
                                    + "address and the network between the workers");
                }
                Thread.sleep(200);
            }
        }
        log.info("All {} workers are up", cluster.size());
    }

    private static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
