package dev.bertclf.train;

/** {@code --save}: which epoch's model the output folder holds when the run ends. */
public enum SaveMode {
    /** The {@link Monitor}'s best epoch: the model is exported only when an epoch improves on it. */
    best,
    /** The last epoch: the model is exported after every epoch, as the tutorial's {@code model.fit} leaves it. */
    last
}
