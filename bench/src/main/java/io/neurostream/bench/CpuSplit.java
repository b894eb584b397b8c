package io.neurostream.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a timed window's processor time went, in this JVM: one named thread's CPU time (the rest of the wall
 * time it was waiting, for a processor or for something else), the whole process's, the JIT compilers' time
 * and the collectors' time. Read from the platform MXBeans at the start and the end of the window.
 */
final class CpuSplit {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long threadId;
    private final long threadCpu0;
    private final long processCpu0;
    private final long jit0;
    private final long gc0;
    private final long wall0;

    private CpuSplit(long threadId) {
        this.threadId = threadId;
        this.threadCpu0 = threadId < 0 ? 0 : THREADS.getThreadCpuTime(threadId);
        this.processCpu0 = processCpu();
        this.jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        this.gc0 = gcMillis();
        this.wall0 = System.nanoTime();
    }

    /** Starts measuring; the thread is the live one of that name (none found: its figures are NaN). */
    static CpuSplit start(String threadName) {
        long id = -1;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals(threadName)) {
                id = t.getThreadId();
            }
        }
        return new CpuSplit(id);
    }

    /** The figures since the start, in seconds: wall, thread CPU, process CPU, the rest of the process, JIT, GC. */
    Map<String, Object> stop() {
        // one thread's figures and the window's are read a moment apart: "not running" is exact to within that
        double wall = (System.nanoTime() - wall0) / 1e9;
        double process = (processCpu() - processCpu0) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        double thread = threadId < 0 ? Double.NaN : (THREADS.getThreadCpuTime(threadId) - threadCpu0) / 1e9;
        out.put("cpu_loop_thread_s", thread);
        out.put("loop_thread_not_running_s", wall - thread);
        out.put("cpu_other_threads_s", process - thread);
        out.put("cpu_process_s", process);
        out.put("jit_s", (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0) / 1e3);
        out.put("gc_s", (gcMillis() - gc0) / 1e3);
        return out;
    }

    private static long processCpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }
}
