package dev.bertclf.text;

/** A tokenised batch as row-major int32 arrays, ready to become {@code [batchSize, seqLen]} tensors. */
public record EncodedBatch(int batchSize, int seqLen, int[] wordIds, int[] mask, int[] typeIds) {}
