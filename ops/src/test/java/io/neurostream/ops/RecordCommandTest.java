package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code neurostream record}'s checks of its arguments, made before it talks to Kafka. */
class RecordCommandTest {
    @TempDir
    Path dir;

    /**
     * The recording replaces an existing file by deleting it first: a device or a pipe given as --out
     * (run as root, {@code --out /dev/full} deleted the device node) must be refused and left alone.
     */
    @Test
    void shouldRefuseAnOutThatIsNotARegularFileAndLeaveItAlone() throws Exception {
        Path fifo = dir.resolve("pipe.nsrec");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        Cli c = Cli.run("record", "demo", "--out", fifo.toString(), "--bootstrap-server", "127.0.0.1:1");

        assertThat(c.exitCode()).as(c.err()).isEqualTo(2);
        assertThat(c.err()).isEqualTo("neurostream: cannot write " + fifo + ": it exists and is not a regular file\n");
        assertThat(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
