package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.internal.TopicsDoc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/topics.md holds the table {@link TopicsDoc} generates from the topic registry and the schemas,
 * between two markers. After a change to a topic or a schema, regenerate it:
 * {@code mvn -B -o -q -pl ops test -Dtest=TopicsDocTest -Dregenerate=true}.
 */
class TopicsDocTest {
    private static final Path DOC = Path.of("..", "docs", "topics.md");
    static final String BEGIN = "<!-- generated from the topic registry by TopicsDocTest: begin -->\n";
    static final String END = "<!-- generated: end -->\n";

    @Test
    void shouldDocumentEveryTopicAsTheRegistryDefinesIt() throws IOException {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END, Math.max(begin, 0));
        assertThat(begin).as("the begin marker in " + DOC).isNotNegative();
        assertThat(end).as("the end marker in " + DOC).isGreaterThan(begin);
        String generated = TopicsDoc.markdown();
        if (Boolean.getBoolean("regenerate")) {
            doc = doc.substring(0, begin + BEGIN.length()) + generated + doc.substring(end);
            Files.writeString(DOC, doc);
            end = doc.indexOf(END, begin);
        }
        assertThat(doc.substring(begin + BEGIN.length(), end))
                .as("docs/topics.md is out of date; regenerate it with -Dregenerate=true (see this test's Javadoc)")
                .isEqualTo(generated);
    }
}
