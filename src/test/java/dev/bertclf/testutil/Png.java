package dev.bertclf.testutil;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** The plots the commands write. */
public final class Png {
    private Png() {}

    /** {@code file} is a PNG that decodes to an image of at least 400 by 400 pixels. */
    public static void assertPng(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', file + " is a PNG");
        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue(image != null && image.getWidth() >= 400 && image.getHeight() >= 400, file + " decodes");
    }
}
