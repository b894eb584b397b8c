package io.neurostream.engine;

/**
 * Excitation-inhibition balance, the seed's {@code calculate_excitation_inhibition_balance}:
 * {@code e_fraction = E/(E+I)}, {@code i_fraction = I/(E+I)}, {@code balance_ratio = E/max(I, 0.01)},
 * all zero when {@code E + I ≤ 0}. The inhibitory input is a positive magnitude.
 */
public record EiBalance(double excitatoryInput, double inhibitoryInput, double eFraction, double iFraction,
        double balanceRatio) {

    public static EiBalance of(double excitatory, double inhibitory) {
        double total = excitatory + inhibitory;
        if (total > 0) {
            return new EiBalance(excitatory, inhibitory, excitatory / total, inhibitory / total,
                    excitatory / Math.max(inhibitory, 0.01));
        }
        return new EiBalance(excitatory, inhibitory, 0.0, 0.0, 0.0);
    }
}
