package io.neurostream.ingest.sense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ images

    @Test
    void shouldReadAGreyPngAsItsLevelsWithXAlongTheImageColumns() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(2, 0, 0, 255); // top right
        img.getRaster().setSample(0, 1, 0, 51);  // bottom left
        Path png = dir.resolve("a.png");
        ImageIO.write(img, "png", png.toFile());

        FrameListSource s = ImageSource.open(png, 10, false);
        Sample first = s.next();
        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.cols()).isEqualTo(2);
        assertThat(first.values()[2][0]).isEqualTo(1f);
        assertThat(first.values()[0][1]).isCloseTo(0.2f, within(1e-6f));
        assertThat(first.values()[1][1]).isZero();
        assertThat(s.next()).isNull();
    }

    @Test
    void shouldTakeTheLuminanceOfAColourImage() throws IOException {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x00ff00); // pure green
        Path png = dir.resolve("g.png");
        ImageIO.write(img, "png", png.toFile());

        assertThat(ImageSource.read(png)[0][0]).isCloseTo(0.587f, within(1e-6f));
    }

    @Test
    void shouldReadADirectoryOfFramesInNameOrderAndLoopWhenAsked() throws IOException {
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setSample(0, 0, 0, 100 * i);
            ImageIO.write(img, "png", dir.resolve("f" + i + ".png").toFile());
        }
        Files.writeString(dir.resolve("notes.txt"), "not a frame");

        FrameListSource s = ImageSource.open(dir, 20, true);
        assertThat(s.frameCount()).isEqualTo(3);
        float[] seen = new float[5];
        double[] times = new double[5];
        for (int k = 0; k < 5; k++) {
            Sample x = s.next();
            seen[k] = x.values()[0][0] * 255;
            times[k] = x.timeS();
        }
        assertThat(seen).containsExactly(new float[] {0, 100, 200, 0, 100}, within(1e-3f));
        assertThat(times).containsExactly(new double[] {0, 0.05, 0.1, 0.15, 0.2}, within(1e-9));
    }

    @Test
    void shouldNameTheFileThatIsNotAnImage() throws IOException {
        Path bad = dir.resolve("broken.png");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> ImageSource.open(bad, 10, false)).isInstanceOf(BadSampleException.class)
                .hasMessageStartingWith(bad + ": not");
    }

    // ------------------------------------------------------------------ raw frames

    @Test
    void shouldCutRawGreyBytesIntoFramesRowAfterRowFromTheTop() throws IOException {
        byte[] b = {0, (byte) 255, 0, 0, 0, (byte) 51, 1, 1, 1, 1, 1, 1};
        RawFrameSource s = new RawFrameSource(new ByteArrayInputStream(b), 3, 2, 25, "stdin");
        Sample f = s.next();
        assertThat(f.rows()).isEqualTo(3);
        assertThat(f.values()[1][0]).isEqualTo(1f);    // byte 1: px 1, py 0
        assertThat(f.values()[2][1]).isCloseTo(0.2f, within(1e-6f)); // byte 5: px 2, py 1
        assertThat(s.next().timeS()).isEqualTo(0.04);
        assertThat(s.next()).isNull();
    }

    @Test
    void shouldRejectAShortLastFrameNamingItsByteCount() throws IOException {
        RawFrameSource s = new RawFrameSource(new ByteArrayInputStream(new byte[10]), 2, 3, 25, "stdin");
        s.next();
        assertThatThrownBy(s::next).isInstanceOf(BadSampleException.class)
                .hasMessage("stdin: frame 1 has 4 bytes; a 2x3 grey frame has 6 (is --size right?)");
    }

    // ------------------------------------------------------------------ audio

    @Test
    void shouldPutAToneInTheBandOfItsFrequencyAndNormaliseToOne() throws IOException {
        Path wav = writeTone(dir.resolve("tone.wav"), 8000, 1000.0, 8000);
        FrameListSource s = WavSource.open(wav, 8, 10, false);
        assertThat(s.frameCount()).isEqualTo(10);
        float[][] m = s.next().values();
        int peak = 0;
        for (int b = 1; b < 8; b++) {
            if (m[b][0] > m[peak][0]) {
                peak = b;
            }
        }
        // bands are log-spaced from 20 Hz to 4000 Hz: 1000 Hz lies in band floor(8 ln(50)/ln(200)) = 5
        assertThat(peak).isEqualTo(5);
        assertThat(m[peak][0]).isCloseTo(1f, within(0.05f));
        assertThat(m[0][0]).isLessThan(0.05f);
    }

    @Test
    void shouldRejectATruncatedWavNamingWhatItsHeaderAnnounced() throws IOException {
        Path wav = writeTone(dir.resolve("full.wav"), 8000, 440.0, 8000);
        byte[] all = Files.readAllBytes(wav);
        Path cut = dir.resolve("cut.wav");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> WavSource.open(cut, 8, 10, false)).isInstanceOf(BadSampleException.class)
                .hasMessageContaining(cut + ": truncated: its header announces 8000 sample frames");
    }

    private static Path writeTone(Path file, int sampleRate, double hz, int samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) (12000 * Math.sin(2 * Math.PI * hz * i / sampleRate)));
        }
        AudioFormat f = new AudioFormat(sampleRate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), f, samples)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    // ------------------------------------------------------------------ digital and generic

    @Test
    void shouldLayBytesRowByRowAsByteOver255AndPadTheLastSample() throws IOException {
        byte[] b = {(byte) 255, 0, 51, 0, 0, 0, (byte) 255};
        DigitalSource s = DigitalSource.bytes(new ByteArrayInputStream(b), 2, 3, 10, "in.bin");
        float[][] first = s.next().values();
        assertThat(first[0]).containsExactly(1f, 0f, 0.2f);
        float[][] second = s.next().values();
        assertThat(second[0]).containsExactly(1f, 0f, 0f);
        assertThat(second[1]).containsExactly(0f, 0f, 0f);
        assertThat(s.next()).isNull();
    }

    @Test
    void shouldMakeOneSampleOfEachLineOfText() throws IOException {
        DigitalSource s = DigitalSource.text(reader("AB\n\nxyz-long\n"), 2, 2, 10, "t.txt");
        assertThat(s.next().values()[0]).containsExactly(65 / 255f, 66 / 255f);
        assertThat(s.next().values()[0]).containsExactly(0f, 0f);
        assertThat(s.next().values()[1]).containsExactly('z' / 255f, '-' / 255f); // cut after 4 bytes
        assertThat(s.next()).isNull();
    }

    @Test
    void shouldReadJsonLinesAsMatricesObjectsAndColumnVectors() throws IOException {
        MatrixTextSource s = new MatrixTextSource(reader("[[1,2],[3,4]]\n\n{\"values\": [[5, 6.5]]}\n[7, 8, 9]\n"),
                MatrixTextSource.Format.JSON_LINES, 10, "m.jsonl");
        assertThat(s.next().values()).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
        assertThat(s.next().values()).isDeepEqualTo(new float[][] {{5, 6.5f}});
        assertThat(s.next().values()).isDeepEqualTo(new float[][] {{7}, {8}, {9}});
        assertThat(s.next()).isNull();
    }

    @Test
    void shouldNameTheLineOfARaggedJsonMatrix() throws IOException {
        MatrixTextSource s = new MatrixTextSource(reader("[[1]]\n[[1,2],[3]]\n"), MatrixTextSource.Format.JSON_LINES, 10,
                "m.jsonl");
        s.next();
        assertThatThrownBy(s::next).hasMessage("m.jsonl:2: row 1 has 1 values, row 0 has 2");
    }

    @Test
    void shouldReadCsvBlocksSeparatedByBlankLinesAndCsvLinesAsVectors() throws IOException {
        MatrixTextSource blocks = new MatrixTextSource(reader("1,2\n3,4\n\n\n5,6\n"), MatrixTextSource.Format.CSV, 10,
                "m.csv");
        assertThat(blocks.next().values()).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
        assertThat(blocks.next().values()).isDeepEqualTo(new float[][] {{5, 6}});
        assertThat(blocks.next()).isNull();

        MatrixTextSource lines = new MatrixTextSource(reader("1, 2, 3\n4,x,6\n"), MatrixTextSource.Format.CSV_LINES, 10,
                "v.csv");
        assertThat(lines.next().values()).isDeepEqualTo(new float[][] {{1}, {2}, {3}});
        assertThatThrownBy(lines::next).hasMessage("v.csv:2: value 2 is 'x', not a number");
    }

    // ------------------------------------------------------------------ synthetic

    @Test
    void shouldDateSyntheticSamplesAtIndexOverRateAndMoveTheBarOneCellPerTenthOfASecond() {
        SyntheticSource s = new SyntheticSource(SyntheticSource.pattern("bar"), 20, 4, 10, "bar");
        Sample a = s.next();
        Sample b = s.next();
        assertThat(b.timeS()).isEqualTo(0.1);
        assertThat(a.values()[0][0]).isEqualTo(1f);
        assertThat(a.values()[1][3]).isEqualTo(1f);
        assertThat(a.values()[2][0]).isZero();
        assertThat(b.values()[0][0]).isZero();
        assertThat(b.values()[2][0]).isEqualTo(1f);
    }

    @Test
    void shouldDrawTheSameNoiseForTheSameTimeWithTheRequestedMean() {
        SyntheticSource.Pattern noise = SyntheticSource.noise(2.0, 7);
        float[][] a = noise.at(0.3, 50, 50);
        assertThat(noise.at(0.3, 50, 50)).isDeepEqualTo(a);
        assertThat(noise.at(0.4, 50, 50)).isNotEqualTo(a);
        double sum = 0;
        for (float[] row : a) {
            for (float v : row) {
                sum += v;
            }
        }
        assertThat(sum / 2500).isCloseTo(2.0, within(0.15));
    }

    private static BufferedReader reader(String s) {
        return new BufferedReader(new StringReader(s));
    }
}
