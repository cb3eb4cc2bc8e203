package dev.bertclf.train;

import dev.bertclf.runtime.InvalidOptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The check that every worker of a data-parallel run was started for the same run: the options that shape the
 * numbers (model, hyperparameters, precision, class weights) and the tokenised training and validation data
 * (their fingerprints, so the files may sit in other places on each machine). One digest per item is gathered
 * from every worker, so the error names what differs rather than only that something does.
 */
final class WorkerAgreement {
    private WorkerAgreement() {}

    /**
     * Compares this worker's items with every other's.
     *
     * @throws InvalidOptionException naming the workers and the items that differ from the chief's
     */
    static void check(
            ReplicatedStep workers, RunSettings settings, TokenizedDataset train, TokenizedDataset validation) {
        Map<String, String> items = new LinkedHashMap<>(settings.sharedByWorkers());
        items.put("the training data", train.fingerprint());
        items.put("the validation data", validation.fingerprint());
        List<String> names = new ArrayList<>(items.keySet());
        double[] mine = new double[names.size()];
        for (int i = 0; i < mine.length; i++) mine[i] = digest(items.get(names.get(i)));
        double[][] all = workers.gather(ReplicatedStep.Gathered.AGREEMENT, mine);
        List<String> problems = new ArrayList<>();
        for (int w = 1; w < all.length; w++) {
            List<String> differ = new ArrayList<>();
            for (int i = 0; i < mine.length; i++) if (all[w][i] != all[0][i]) differ.add(names.get(i));
            if (!differ.isEmpty()) problems.add("worker " + w + " has another " + String.join(", ", differ));
        }
        if (!problems.isEmpty()) {
            throw new InvalidOptionException("the workers were not started for the same run: "
                    + String.join("; ", problems) + " than the chief (worker 0); give every worker the same "
                    + "options and data");
        }
    }

    private static int digest(String value) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
