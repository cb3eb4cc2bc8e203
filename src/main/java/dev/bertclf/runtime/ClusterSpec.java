package dev.bertclf.runtime;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The workers of a synchronous data-parallel run and which one this process is, from TensorFlow's own
 * {@code TF_CONFIG} (what Kubeflow's TFJob and the cloud trainers set for each pod) or from {@code --cluster} and
 * {@code --task-index}. A {@code chief} job, if present, comes first; every other task is a {@code worker}. Task 0
 * is the chief: it writes the checkpoints, the model and the log. Parameter servers and evaluators have no place
 * in all-reduce training and are refused.
 */
public record ClusterSpec(List<String> workers, int taskIndex) {
    public ClusterSpec {
        workers = List.copyOf(workers);
        if (workers.size() < 2) {
            throw new InvalidOptionException("a cluster needs at least two workers, got " + workers.size());
        }
        Map<String, String> seen = new HashMap<>();
        for (String w : workers) {
            String same = seen.put(endpoint(hostAndPort(w)), w);
            if (same != null) {
                throw new InvalidOptionException("the cluster names the worker " + w + " twice"
                        + (same.equals(w) ? "" : " (as " + same + " too: both name the same address)"));
            }
        }
        if (taskIndex < 0 || taskIndex >= workers.size()) {
            throw new InvalidOptionException("the task index must be 0 to " + (workers.size() - 1) + " for a "
                    + workers.size() + "-worker cluster, got " + taskIndex);
        }
    }

    /** {@code --cluster host:port,host:port,...} and {@code --task-index i}. */
    public static ClusterSpec of(String commaSeparated, int taskIndex) {
        List<String> workers = new ArrayList<>();
        for (String w : commaSeparated.split(",", -1)) workers.add(w.strip());
        return new ClusterSpec(workers, taskIndex);
    }

    /** {@code TF_CONFIG}'s JSON, as TensorFlow's {@code TFConfigClusterResolver} reads it. */
    public static ClusterSpec fromTfConfig(String json) {
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            JsonObject cluster = root.getAsJsonObject("cluster");
            JsonObject task = root.getAsJsonObject("task");
            if (cluster == null || task == null)
                throw new InvalidOptionException(tfConfig("needs \"cluster\" and \"task\""));
            List<String> workers = new ArrayList<>();
            int chiefs = 0;
            for (var job : cluster.entrySet()) {
                switch (job.getKey()) {
                    case "chief", "worker" -> {}
                    default ->
                        throw new InvalidOptionException(tfConfig("has a \"" + job.getKey() + "\" job; "
                                + "bert-clf trains with all-reduce between workers (a \"chief\" and \"worker\"s), "
                                + "without parameter servers or evaluators"));
                }
            }
            if (cluster.has("chief")) chiefs = addTasks(cluster.get("chief"), workers);
            if (chiefs > 1) throw new InvalidOptionException(tfConfig("has " + chiefs + " chiefs; at most one"));
            addTasks(cluster.get("worker"), workers);
            if (!task.has("type") || !task.has("index")) {
                throw new InvalidOptionException(tfConfig("needs the task's \"type\" and \"index\""));
            }
            String type = task.get("type").getAsString();
            if (!cluster.has(type))
                throw new InvalidOptionException(
                        tfConfig("names a task of type \"" + type + "\" that its cluster does not have"));
            int index = index(task.get("index"), cluster.getAsJsonArray(type).size(), type);
            return new ClusterSpec(workers, type.equals("chief") ? index : chiefs + index);
        } catch (JsonParseException
                | IllegalStateException
                | UnsupportedOperationException
                | NullPointerException
                | ClassCastException
                | NumberFormatException e) {
            throw new InvalidOptionException(
                    tfConfig("is not valid: " + e.getMessage() + "; expected {\"cluster\": {\"worker\": "
                            + "[\"host:port\", ...]}, \"task\": {\"type\": \"worker\", \"index\": 0}}"));
        }
    }

    /**
     * The task's index: a whole number from 0 to the job's size - 1, as written (once -1 named the chief, 1.5 and
     * 4294967297 were read as 1).
     */
    private static int index(JsonElement index, int tasks, String type) {
        String text = index.isJsonPrimitive() ? index.getAsString() : "";
        if (!text.matches("\\d{1,9}") || Integer.parseInt(text) >= tasks) {
            throw new InvalidOptionException(tfConfig("gives the task index " + ConsoleText.escape(index.toString())
                    + "; it must be a whole number from 0 to " + (tasks - 1) + " (the \"" + type + "\" job has "
                    + tasks + " task" + (tasks == 1 ? "" : "s") + ")"));
        }
        return Integer.parseInt(text);
    }

    /** Where a worker is reached: its host's address (as resolved here) and port, or the name if it resolves not. */
    private static String endpoint(HostAndPort hp) {
        String host;
        try {
            host = InetAddress.getByName(hp.host()).getHostAddress();
        } catch (UnknownHostException e) {
            host = hp.host().toLowerCase(java.util.Locale.ROOT);
        }
        return host + "#" + hp.port();
    }

    private static int addTasks(JsonElement job, List<String> into) {
        if (job == null) return 0;
        JsonArray tasks = job.getAsJsonArray();
        for (JsonElement t : tasks) into.add(t.getAsString());
        return tasks.size();
    }

    private static String tfConfig(String what) {
        return "the TF_CONFIG environment variable " + what;
    }

    public int size() {
        return workers.size();
    }

    public boolean chief() {
        return taskIndex == 0;
    }

    public String self() {
        return workers.get(taskIndex);
    }

    /** The port of worker {@code i}. */
    public int port(int i) {
        return hostAndPort(workers.get(i)).port();
    }

    public String host(int i) {
        return hostAndPort(workers.get(i)).host();
    }

    private record HostAndPort(String host, int port) {}

    private static HostAndPort hostAndPort(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon) : "";
        int port = -1;
        try {
            if (colon > 0) port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isBlank() || port < 1 || port > 65535 || host.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidOptionException("a worker address must be host:port with a port from 1 to 65535, got '"
                    + ConsoleText.escape(address) + "'");
        }
        return new HostAndPort(host, port);
    }
}
