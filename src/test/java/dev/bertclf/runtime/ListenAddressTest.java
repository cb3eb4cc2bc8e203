package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A worker's TensorFlow server listens on the address its host names and nowhere else. Before, every server
 * listened on the wildcard address (TensorFlow hard-codes it) and a process on another machine read and wrote
 * files in the trainer through it. Checked with the kernel's own list of listening sockets, and by connecting to
 * the machine's other address.
 */
class ListenAddressTest {
    @Test
    void aWorkerNamedByLoopbackListensOnLoopbackAlone() throws Exception {
        assumeTrue(ListenAddress.available(), "a build with bert-clf's native library (Linux x86-64, gcc)");
        int port = freePort();
        WorkerServer.start(ClusterSpec.of("127.0.0.1:" + port + ",127.0.0.1:" + freePort(), 0), false);
        List<String> bound = ListenAddress.listening(port);
        assertFalse(bound.isEmpty(), "the server listens");
        assertTrue(bound.stream().noneMatch(ListenAddress::isWildcard), "not on every interface: " + bound);
        assertTrue(bound.stream().allMatch(ListenAddressTest::isLoopback), "on 127.0.0.1: " + bound);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            assertTrue(s.isConnected(), "the other workers reach it");
        }
        Optional<InetAddress> other = otherAddress();
        if (other.isPresent()) {
            assertThrows(IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other.get(), port), 2000);
                }
            });
        }
    }

    @Test
    void theKernelsListsAreRead() throws Exception {
        try (ServerSocket any = new ServerSocket(0);
                ServerSocket loopback = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            List<String> wildcard = ListenAddress.listening(any.getLocalPort());
            assumeTrue(!wildcard.isEmpty(), "Linux's /proc/net/tcp");
            assertTrue(wildcard.stream().allMatch(ListenAddress::isWildcard), wildcard.toString());
            List<String> one = ListenAddress.listening(loopback.getLocalPort());
            assertEquals(1, one.size(), one.toString());
            assertTrue(isLoopback(one.get(0)), one.toString());
        }
    }

    /** 127.0.0.1 as /proc/net/tcp or tcp6 writes it (IPv4-mapped on a dual-stack socket). */
    private static boolean isLoopback(String hex) {
        return hex.equals("0100007F") || hex.equals("0000000000000000FFFF00000100007F");
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    private static Optional<InetAddress> otherAddress() throws IOException {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (a instanceof Inet4Address) return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
