package io.neurostream.engine.spec;

import java.util.Collection;

/** "Did you mean" for misspelled names in specs and commands. */
public final class Suggest {
    private Suggest() {
    }

    /** The candidate closest to {@code name} by edit distance, if it is close enough to be a typo; else null. */
    public static String closest(String name, Collection<String> candidates) {
        return JsonObj.closest(name, candidates);
    }
}
