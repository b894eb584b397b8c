package io.neurostream.ingest.sense;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.apache.commons.math3.complex.Complex;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Audition from a WAV file (anything {@link AudioSystem} reads as PCM): the sound cut into frames of
 * {@code 1 / rateHz} s, each frame turned into {@code bands} band amplitudes, one per row of the sense
 * (x is the tonotopic axis, low frequencies at x = 0).
 *
 * <p>Mapping, per frame: channels are averaged to mono; the frame's samples (zero-padded to a power of
 * two, Hann window) go through an FFT (commons-math3); band {@code b} of {@code B} covers the
 * frequencies {@code [f0 (fN/f0)^(b/B), f0 (fN/f0)^((b+1)/B))}, log-spaced from {@code f0} =
 * {@value #LOWEST_HZ} Hz to {@code fN} = the Nyquist frequency, and its value is the square root of the
 * summed power of the FFT bins inside (a band narrower than one bin takes the bin at its centre). The
 * values of the whole file are then divided by its largest, so they lie in [0, 1] and louder frames
 * stay louder. The matrix is {@code bands x 1}: the encoder's resizing repeats it along y.
 */
public final class WavSource {
    /** The lower edge of the lowest band, Hz. */
    public static final double LOWEST_HZ = 20.0;

    private WavSource() {
    }

    /** The frames of a WAV file as {@code bands x 1} matrices. */
    public static FrameListSource open(Path file, int bands, double rateHz, boolean loop) throws IOException {
        if (bands < 1) {
            throw new IllegalArgumentException("bands must be >= 1, got " + bands);
        }
        AudioInputStream raw;
        try {
            raw = AudioSystem.getAudioInputStream(file.toFile());
        } catch (UnsupportedAudioFileException e) {
            throw new BadSampleException(file + ": not an audio file AudioSystem can read (" + e.getMessage() + ")", e);
        }
        float[] mono;
        float sampleRate;
        try (AudioInputStream in = toPcm16(raw, file)) {
            AudioFormat f = in.getFormat();
            sampleRate = f.getSampleRate();
            long declared = raw.getFrameLength();
            byte[] bytes = in.readAllBytes();
            int frameBytes = f.getFrameSize();
            long got = bytes.length / frameBytes;
            if (declared != AudioSystem.NOT_SPECIFIED && got < declared) {
                throw new BadSampleException(file + ": truncated: its header announces " + declared + " sample frames ("
                        + declared * raw.getFormat().getFrameSize() + " bytes of audio), the file holds " + got);
            }
            int channels = f.getChannels();
            mono = new float[(int) got];
            for (int i = 0; i < got; i++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    int off = i * frameBytes + 2 * c;
                    sum += (short) ((bytes[off] & 0xff) | (bytes[off + 1] << 8)) / 32768.0;
                }
                mono[i] = (float) (sum / channels);
            }
        }
        int perFrame = (int) Math.round(sampleRate / rateHz);
        if (perFrame < 2) {
            throw new BadSampleException(file + ": at " + rateHz + " frames/s a frame holds " + perFrame
                    + " samples of this " + sampleRate + " Hz audio; lower --rate-hz");
        }
        int n = Integer.highestOneBit(perFrame - 1) << 1;
        if (n < perFrame) {
            n = perFrame;
        }
        double[] window = new double[perFrame];
        for (int i = 0; i < perFrame; i++) {
            window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / Math.max(1, perFrame - 1));
        }
        FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);
        double nyquist = sampleRate / 2.0;
        double lowest = Math.min(LOWEST_HZ, nyquist / 2);
        List<float[][]> frames = new ArrayList<>();
        double max = 0;
        for (int start = 0; start + perFrame <= mono.length; start += perFrame) {
            double[] x = new double[n];
            for (int i = 0; i < perFrame; i++) {
                x[i] = mono[start + i] * window[i];
            }
            Complex[] spectrum = fft.transform(x, TransformType.FORWARD);
            float[][] m = new float[bands][1];
            for (int b = 0; b < bands; b++) {
                double lo = lowest * Math.pow(nyquist / lowest, (double) b / bands);
                double hi = lowest * Math.pow(nyquist / lowest, (double) (b + 1) / bands);
                int k0 = (int) Math.ceil(lo * n / sampleRate);
                int k1 = (int) Math.ceil(hi * n / sampleRate); // exclusive
                double power = 0;
                if (k1 <= k0) {
                    int k = (int) Math.round(Math.sqrt(lo * hi) * n / sampleRate);
                    power = spectrum[Math.min(k, n / 2)].abs() * spectrum[Math.min(k, n / 2)].abs();
                } else {
                    for (int k = k0; k < Math.min(k1, n / 2 + 1); k++) {
                        double a = spectrum[k].abs();
                        power += a * a;
                    }
                }
                m[b][0] = (float) Math.sqrt(power);
                max = Math.max(max, m[b][0]);
            }
            frames.add(m);
        }
        if (frames.isEmpty()) {
            throw new BadSampleException(file + ": " + mono.length + " samples at " + sampleRate
                    + " Hz are shorter than one frame of 1/" + rateHz + " s (" + perFrame + " samples)");
        }
        if (max > 0) {
            for (float[][] m : frames) {
                for (float[] row : m) {
                    row[0] = (float) (row[0] / max);
                }
            }
        }
        return new FrameListSource(frames, rateHz, loop, file + " (" + frames.size() + " audio frames of " + perFrame
                + " samples at " + sampleRate + " Hz, " + bands + " bands)");
    }

    private static AudioInputStream toPcm16(AudioInputStream raw, Path file) {
        AudioFormat f = raw.getFormat();
        AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16, f.getChannels(),
                2 * f.getChannels(), f.getSampleRate(), false);
        if (f.matches(pcm)) {
            return raw;
        }
        if (!AudioSystem.isConversionSupported(pcm, f)) {
            throw new BadSampleException(file + ": cannot convert its audio (" + f + ") to 16-bit PCM");
        }
        return AudioSystem.getAudioInputStream(pcm, raw);
    }
}
