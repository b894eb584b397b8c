package io.neurostream.ingest.sense;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Vision from image files (PNG, JPEG, or anything else {@link ImageIO} reads): one file, or every
 * {@code .png}, {@code .jpg}, {@code .jpeg} of a directory in name order, one frame per file.
 *
 * <p>Mapping: pixel (px, py), py counted from the top, becomes value {@code [px][py]} (x = image column,
 * y = image row), so a W x H image is a W x H matrix before resizing. The value is the pixel's grey
 * level in [0, 1]: a one-band (grey) image's sample / its maximum (255 for 8 bits), any other its
 * luminance {@code (0.299 R + 0.587 G + 0.114 B) / 255} (ITU-R BT.601); alpha is ignored.
 */
public final class ImageSource {
    private ImageSource() {
    }

    /** Frames from a file or a directory of files. */
    public static FrameListSource open(Path fileOrDirectory, double rateHz, boolean loop) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(fileOrDirectory)) {
            try (Stream<Path> s = Files.list(fileOrDirectory)) {
                s.filter(p -> isImageName(p.getFileName().toString())).sorted().forEach(files::add);
            }
            if (files.isEmpty()) {
                throw new BadSampleException(fileOrDirectory + ": no .png, .jpg or .jpeg file in this directory");
            }
        } else {
            files.add(fileOrDirectory);
        }
        List<float[][]> frames = new ArrayList<>(files.size());
        for (Path f : files) {
            frames.add(read(f));
        }
        String what = files.size() == 1 ? files.get(0).toString() : fileOrDirectory + " (" + files.size() + " images)";
        return new FrameListSource(frames, rateHz, loop, what);
    }

    /** Whether a file name looks like an image this source reads from a directory. */
    public static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** One image as grey levels {@code [x][y]} in [0, 1]. */
    public static float[][] read(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new BadSampleException(file + ": not a readable image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new BadSampleException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
        }
        return grey(img);
    }

    /** The grey levels of an image, {@code [x][y]} in [0, 1]. */
    public static float[][] grey(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[][] m = new float[w][h];
        Raster r = img.getRaster();
        if (r.getNumBands() == 1) {
            double max = (1L << img.getColorModel().getComponentSize(0)) - 1;
            for (int x = 0; x < w; x++) {
                for (int y = 0; y < h; y++) {
                    m[x][y] = (float) (r.getSample(x, y, 0) / max);
                }
            }
            return m;
        }
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                int rgb = img.getRGB(x, y);
                int red = (rgb >> 16) & 0xff;
                int green = (rgb >> 8) & 0xff;
                int blue = rgb & 0xff;
                m[x][y] = (float) ((0.299 * red + 0.587 * green + 0.114 * blue) / 255.0);
            }
        }
        return m;
    }
}
