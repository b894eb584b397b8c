package io.neurostream.ops.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenTest {
    @Test
    void shouldMatchOnlyTheSameToken() {
        Token t = Token.of("s3cret");

        assertThat(t.matches("s3cret")).isTrue();
        assertThat(t.matches("s3creT")).isFalse();
        assertThat(t.matches("s3cret ")).isFalse();
        assertThat(t.matches("")).isFalse();
        assertThat(t.matches(null)).isFalse();
    }

    @Test
    void shouldMeanNoTokenForAnEmptyOne() {
        assertThat(Token.of("")).isNull();
        assertThat(Token.of(null)).isNull();
    }
}
