package dev.bertclf.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
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
     * Starts this task's server on its port, listening on the address its host names and nowhere else
     * ({@link ListenAddress}), checked with the kernel once it listens. {@code openPorts} ({@code --open-worker-ports})
     * lets it listen on every interface where it cannot be narrowed: a wildcard host ({@code 0.0.0.0}), a host that
     * is not an address of this machine (behind NAT), or a build or platform without the native library.
     *
     * @throws InvalidOptionException when the port is taken (by another worker on this host, say), or the server
     *     would listen on every interface and {@code openPorts} is false
     */
    public static WorkerServer start(ClusterSpec cluster, boolean openPorts) {
        TfRuntime.engine();
        int port = cluster.port(cluster.taskIndex());
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new InvalidOptionException("worker " + cluster.taskIndex() + " cannot listen on port " + port + " ("
                    + e.getMessage() + "): the port is in use; give this worker another in --cluster/TF_CONFIG");
        }
        String host = cluster.host(cluster.taskIndex());
        String why = whyEveryInterface(host, port);
        if (why != null && !openPorts) {
            throw new InvalidOptionException("worker " + cluster.taskIndex() + " would listen on port " + port
                    + " of every network interface of this machine (" + why + "), and TensorFlow's distributed "
                    + "runtime has no authentication: whoever reaches the port can read and write files as you. "
                    + "Name this machine's own address for it, or, on a trusted, firewalled network, say so with "
                    + "--open-worker-ports");
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
        List<String> bound = ListenAddress.listening(port);
        if (why == null && bound.stream().anyMatch(ListenAddress::isWildcard) && !openPorts) {
            throw new DataException("TensorFlow's server for worker " + cluster.taskIndex() + " listens on every "
                    + "interface (port " + port + ") although bert-clf asked for " + host + " only; stopping. On a "
                    + "trusted, firewalled network, --open-worker-ports lets it run so");
        }
        log.info(
                "Worker {} of {} listening on {} ({})",
                cluster.taskIndex(),
                cluster.size(),
                cluster.self(),
                why == null ? "this address only" : "every interface: " + why);
        return new WorkerServer(cluster);
    }

    /**
     * Why the server for {@code host:port} would listen on every interface, or null when it will listen on
     * {@code host}'s address alone (narrowed before the server starts).
     */
    private static String whyEveryInterface(String host, int port) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "its host " + host + " does not resolve here";
        }
        if (address.isAnyLocalAddress()) return "its host " + host + " is the wildcard address";
        if (!isOfThisMachine(address)) {
            return "its host " + host + " (" + address.getHostAddress() + ") is not an address of this machine";
        }
        if (!ListenAddress.available()) return "this build cannot narrow TensorFlow's servers on this platform";
        return ListenAddress.restrict(port, address) ? null : "narrowing it to " + host + " failed";
    }

    private static boolean isOfThisMachine(InetAddress address) {
        try {
            return address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return false;
        }
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
