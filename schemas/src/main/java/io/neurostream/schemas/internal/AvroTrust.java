package io.neurostream.schemas.internal;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Makes Avro trust the generated classes ({@value #GENERATED_PACKAGE}).
 *
 * <p>Avro 1.12 checks every class it looks up by name against a trust list before loading it, and
 * refuses ours ({@code SecurityException: Forbidden io.neurostream.schemas.avro...}) when it resolves an
 * older writer schema, or deep-copies a record with an enum field (the generated
 * {@code newBuilder(other)}). The list is read from the system property
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} only once, when Avro's validator class loads, so setting
 * the property from code can come too late; the validator API works whenever it is called. The
 * generated record classes call {@link #install()} in their static initialiser (a line the build adds
 * to Avro's {@code record.vm}: see {@code schemas/pom.xml}), so the trust is in place before any of them
 * is used.
 * The package is added to whatever predicate is installed, never replacing it.
 */
public final class AvroTrust {

    /** The package of the generated classes. */
    public static final String GENERATED_PACKAGE = "io.neurostream.schemas.avro";

    private AvroTrust() {
    }

    /** Adds the generated package to Avro's global class trust; idempotent and thread-safe. */
    public static synchronized void install() {
        ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        if (previous instanceof TrustGenerated) {
            return;
        }
        ClassSecurityValidator.setGlobal(new TrustGenerated(previous));
    }

    private record TrustGenerated(ClassSecurityPredicate previous) implements ClassSecurityPredicate {
        @Override
        public boolean isTrusted(Class<?> c) {
            return c.getName().startsWith(GENERATED_PACKAGE + ".") || previous.isTrusted(c);
        }
    }
}
