package dev.bertclf.io;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on a file, so two runs writing into the same folder fail fast instead of corrupting each
 * other's files. The OS drops the lock if the process dies, so a crash never leaves a stale lock; the lock file
 * itself is left in place on purpose (deleting it would let a third run lock a different file).
 */
public final class DirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws DataException with {@code busyMessage} if another process (or this one) holds the lock */
    public static DirectoryLock acquire(Path lockFile, String busyMessage) {
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot create lock file " + lockFile + ": " + e.getMessage() + ". Check the folder's permissions.",
                    e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) return new DirectoryLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            // held by this JVM: same answer as another process holding it
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DataException("Cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        closeQuietly(channel);
        throw new DataException(busyMessage);
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
