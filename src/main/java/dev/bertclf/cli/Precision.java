package dev.bertclf.cli;

import dev.bertclf.train.SessionOptions;

/** {@code --precision} of train and bench, an enum so that picocli rejects other values as a usage error. */
enum Precision {
    fp32, bf16;

    SessionOptions session(boolean gpu) { return new SessionOptions(0, 0, this == bf16, gpu); }
}
