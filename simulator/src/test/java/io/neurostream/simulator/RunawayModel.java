package io.neurostream.simulator;

import io.neurostream.engine.model.ModelParameters;
import io.neurostream.engine.model.NeuronDynamics;
import io.neurostream.engine.model.NeuronModel;
import io.neurostream.engine.model.NeuronState;
import io.neurostream.engine.model.SpikeSink;

/**
 * A custom model with a bug a user could write: {@code v <- v * growth} each tick, never a spike, so
 * with {@code growth > 1} the potential overflows to infinity after a few hundred ticks. For tests of
 * what the simulator does when a network's state becomes non-finite.
 */
final class RunawayModel implements NeuronModel {
    @Override
    public String name() {
        return "runaway";
    }

    @Override
    public NeuronDynamics create(ModelParameters p) {
        double growth = p.scalar("growth", 10.0, 0.0, 1e3);
        p.done();
        return new NeuronDynamics() {
            @Override
            public void initialize(NeuronState s, int from, int to) {
                for (int j = from; j < to; j++) {
                    s.v[j] = -65.0;
                }
            }

            @Override
            public void step(NeuronState s, int from, int to, SpikeSink out) {
                for (int j = from; j < to; j++) {
                    s.v[j] = s.v[j] * growth + s.input[j];
                }
            }

            @Override
            public boolean setParameter(String name, double value) {
                return false;
            }
        };
    }
}
