package io.neurostream.schemas;

import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Target;
import io.neurostream.schemas.avro.Topology;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Fixed sample records of every type: {@link #full} sets every field (nullable ones too), {@link #minimal}
 * leaves every nullable field null. The golden files in test resources are encodings of {@link #full}.
 */
final class Samples {
    static final String NET = "net-1";

    private Samples() {
    }

    static SpecificRecordBase full(Class<?> type) {
        return sample(type, true);
    }

    static SpecificRecordBase minimal(Class<?> type) {
        return sample(type, false);
    }

    static ExternalInput currentInput() {
        return ExternalInput.newBuilder()
                .setNetworkId(NET).setInputId("in-7").setTick(120L).setDurationTicks(5)
                .setKind(InputKind.CURRENT)
                .setTarget(Target.newBuilder().setPopulations(List.of("exc", "inh")).build())
                .setCurrent(12.5)
                .build();
    }

    static ExternalInput matrixInput() {
        return ExternalInput.newBuilder()
                .setNetworkId(NET).setInputId("cam-0").setTick(null).setDurationTicks(1)
                .setKind(InputKind.MATRIX)
                .setTarget(Target.newBuilder().setSense("vision").setZLayer(2).build())
                .setMatrixRows(2).setMatrixCols(3)
                .setMatrixValues(Matrices.pack(new float[] {0f, 0.5f, 1f, 1.5f, 2f, 2.5f}, 2, 3))
                .setScale(4.0)
                .build();
    }

    static Control createCommand() {
        return Control.newBuilder()
                .setNetworkId(NET).setCommandId("c-1").setCommand(ControlCommand.CREATE)
                .setSpecJson("{\"name\":\"demo\",\"seed\":42}")
                .setIssuedAtMs(1_700_000_000_000L)
                .build();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static SpecificRecordBase sample(Class<?> type, boolean full) {
        if (type == ExternalInput.class) {
            if (!full) {
                return ExternalInput.newBuilder().setNetworkId(NET).setKind(InputKind.POISSON)
                        .setTarget(Target.newBuilder().setArea("V1").build()).setRateHz(20.0).build();
            }
            return ExternalInput.newBuilder(matrixInput()).setTick(99L)
                    .setTarget(Target.newBuilder().setPopulations(List.of("p")).setArea("a").setSense("s").setZLayer(1)
                            .setNeurons(List.of(1, 2, 3))
                            .setCoordinates(List.of(new Coordinate(1, 2, 3, 0), new Coordinate(4, 5, 6, 1)))
                            .build())
                    .setCurrent(1.25).setRateHz(5.0).setWeight(0.5)
                    .build();
        }
        if (type == Control.class) {
            if (!full) {
                return Control.newBuilder().setNetworkId(NET).setCommand(ControlCommand.PAUSE).setIssuedAtMs(5L).build();
            }
            return Control.newBuilder(createCommand())
                    .setSteps(10L).setSpeed(0.0)
                    .setProbeNeurons(List.of(0, 5, 9)).setProbeVariables(List.of("v", "u")).setProbeEveryTicks(2)
                    .setSetPopulation("exc").setSetParameter("v_threshold").setSetValue(-52.0)
                    .build();
        }
        if (type == SpikeBatch.class) {
            if (!full) {
                return SpikeBatches.pack(NET, 0, 0, 1, new int[0], new int[0], 0);
            }
            SpikeBatch b = SpikeBatches.pack(NET, 3, 30, 10, new int[] {4, 17, 2, 70000}, new int[] {0, 0, 7, 9}, 4);
            b.setPart(1);
            b.setParts(2);
            return b;
        }
        if (type == MembraneSample.class) {
            return MembraneSample.newBuilder().setNetworkId(NET).setTick(41).setVariable("v").setUnit("mV")
                    .setNeuronIds(full ? List.of(0, 5) : List.of()).setValues(full ? List.of(-65.0, -51.25) : List.of())
                    .setPart(full ? 2 : 0).setParts(full ? 3 : 1).build();
        }
        if (type == Frame.class) {
            return Frame.newBuilder().setNetworkId(NET).setFrame(7).setFirstTick(70).setTicks(10).setDtMs(0.1)
                    .setSimTimeMs(7.0)
                    .setAreas(full ? List.of(
                            new AreaFrame("V1", EClass.E, 12, 800, 35.5, 10.25, -61.5),
                            new AreaFrame("V1", EClass.I, 3, 200, 8.0, 4.5, -63.0)) : List.of())
                    .build();
        }
        if (type == AppliedInput.class) {
            return AppliedInput.newBuilder().setNetworkId(NET).setSequence(12).setTick(120)
                    .setSourceTopic("neurostream.external-input").setSourcePartition(3).setSourceOffset(4567)
                    .setPayload(full ? currentInput() : createCommand()).setRunId(full ? 4321 : -1)
                    .build();
        }
        if (type == Topology.class) {
            return Topology.newBuilder().setNetworkId(NET).setSpecHash("0123456789abcdef").setChunk(0).setChunks(1)
                    .setNeuronCount(2).setLattice(List.of(10, 10, 2, 1)).setFirstNeuron(0).setCount(2)
                    .setAreaNames(List.of("V1")).setPopulationNames(List.of("exc", "inh"))
                    .setAreaIndex(ByteBuffer.wrap(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}))
                    .setPopulationIndex(ByteBuffer.wrap(new byte[] {0, 0, 1, 0}))
                    .setEClass(ByteBuffer.wrap(new byte[] {0, 1}))
                    .setCoordinates(ByteBuffer.wrap(new byte[] {1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 1, 0, 0, 0}))
                    .build();
        }
        if (type == Status.class) {
            return Status.newBuilder().setNetworkId(NET).setState(RunState.RUNNING).setMode(RunMode.REALTIME)
                    .setTick(1000).setSimTimeMs(100.0).setDtMs(0.1).setRunEpochMs(1_700_000_000_000L).setSpeed(1.0)
                    .setRealtimeFactor(0.98).setMessage(full ? "started" : null).setInstanceId(full ? "host:42" : null)
                    .setUpdatedAtMs(1_700_000_000_100L).setRejectedCount(2).setStalledMs(0).setRunId(full ? 4321 : -1)
                    .build();
        }
        if (type == Checkpoint.class) {
            return Checkpoint.newBuilder().setNetworkId(NET).setCheckpointId(3).setTick(5000).setJournalSequence(12)
                    .setRunEpochMs(1_700_000_000_000L).setSpecHash("0123456789abcdef").setSnapshotFormat(1)
                    .setChunk(0).setChunks(1).setData(bytes("NSNP...")).setTakenAtMs(1_700_000_005_000L)
                    .setRunId(full ? 4321 : -1).setJournalOffset(full ? 98_765 : 0).setStatusOffset(full ? 123_456 : 0)
                    .build();
        }
        if (type == Rejected.class) {
            return Rejected.newBuilder().setSourceTopic("neurostream.external-input").setSourcePartition(1)
                    .setSourceOffset(99).setKey(full ? NET : null).setNetworkId(full ? NET : null)
                    .setReasonCode("BAD_HEADER").setReason("starts with 7b 22").setRaw(bytes("{\"x\":1}")).setRawSize(7)
                    .setAtMs(1_700_000_000_000L)
                    .build();
        }
        if (type == Rate.class) {
            return Rate.newBuilder().setNetworkId(NET).setArea(full ? "V1" : null).setEClass(full ? EClass.I : null)
                    .setWindowStartMs(1_700_000_000_000L).setWindowEndMs(1_700_000_000_100L).setSpikes(40).setNeurons(200)
                    .setRateHz(2.0)
                    .build();
        }
        if (type == Balance.class) {
            return Balance.newBuilder().setNetworkId(NET).setArea(full ? "V1" : null)
                    .setWindowStartMs(1_700_000_000_000L).setWindowEndMs(1_700_000_000_100L)
                    .setEInput(30.0).setIInput(10.0).setEFraction(0.75).setIFraction(0.25).setBalanceRatio(3.0)
                    .build();
        }
        if (type == Alert.class) {
            return Alert.newBuilder().setNetworkId(NET).setArea(full ? "V1" : null).setAlert(AlertKind.RUNAWAY)
                    .setState(AlertState.RAISED).setWindowEndMs(1_700_000_000_100L).setValue(180.0).setThreshold(100.0)
                    .setConsecutiveWindows(3).setMessage("V1 fires at 180 Hz, above 100 Hz for 3 windows")
                    .build();
        }
        throw new IllegalArgumentException("no sample of " + type);
    }
}
