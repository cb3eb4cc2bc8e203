package dev.bertclf.io;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one lock every output of bert-clf takes before it writes: an exclusive OS lock, so two runs writing the same
 * output fail fast instead of corrupting each other's files ({@code train}'s model folder, {@code download}'s data
 * folder, {@code predict --input}'s partial output, which a concurrent {@code --resume} once doubled rows of). The
 * OS drops the lock if the process dies, so a crash never leaves a stale lock.
 *
 * <p>Two forms: {@link #acquire} locks a lock file beside what a run writes, left in place on purpose (deleting it
 * would let a third run lock a different file); {@link #onFile} locks the very file a run writes, through the
 * channel it writes with, so the lock follows the file's inode through the rename that completes it.
 */
public final class OutputLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws DataException with {@code busyMessage} if another process (or this one) holds the lock */
    public static OutputLock acquire(Path lockFile, String busyMessage) {
        FileChannel channel;
        try {
            channel = FileUtil.openChannel(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot create lock file " + lockFile + ": " + FileErrors.describe(e, lockFile)
                            + ". Check the folder's permissions.",
                    e);
        }
        return onFile(channel, lockFile, busyMessage);
    }

    /**
     * Locks {@code channel}, a file the caller opened for writing; the lock owns the channel from here on: it is
     * closed when the lock is, or now if the lock is refused.
     *
     * @throws DataException with {@code busyMessage} if another process (or this one) holds the lock
     */
    public static OutputLock onFile(FileChannel channel, Path file, String busyMessage) {
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) return new OutputLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            // held by this JVM: same answer as another process holding it
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DataException("Cannot lock " + file + ": " + FileErrors.describe(e, file), e);
        }
        closeQuietly(channel);
        throw new DataException(busyMessage);
    }

    /** The locked file's channel, for writing it. */
    public FileChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock dies with the channel or the process
        }
    }
}
