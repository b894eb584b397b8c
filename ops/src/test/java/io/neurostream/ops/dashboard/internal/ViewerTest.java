package io.neurostream.ops.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewerTest {
    private static Item item(double t) {
        return new Item(Item.Kind.STATUS, t, null);
    }

    @Test
    void shouldDropAViewerWhoseQueueIsFullWithoutWaiting() {
        Viewer v = new Viewer(2);
        v.offer(item(1));
        v.offer(item(2));
        assertThat(v.dropped()).isFalse();

        long t0 = System.nanoTime();
        v.offer(item(3));

        assertThat(System.nanoTime() - t0).as("offer never waits").isLessThan(100_000_000L);
        assertThat(v.dropped()).isTrue();
        List<Item> left = new ArrayList<>();
        v.drainTo(left, 10);
        assertThat(left).as("a dropped viewer's queue is freed").isEmpty();
    }

    @Test
    void shouldHandItemsOverInOrder() throws InterruptedException {
        Viewer v = new Viewer(4);
        v.offer(item(1));
        v.offer(item(2));

        assertThat(v.poll(10).tMs()).isEqualTo(1.0);
        assertThat(v.poll(10).tMs()).isEqualTo(2.0);
        assertThat(v.poll(10)).isNull();
    }
}
