package io.stratus.bench;

import io.stratus.broker.StratusBroker;
import io.stratus.broker.config.BrokerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the load generator itself, not the broker's speed: one second of the fanin scenario at
 * QoS 1 against an in-process broker must deliver every message exactly once.
 */
class FanInScenarioTest {

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void fanInAtQos1DeliversEveryMessageExactlyOnce() throws Exception {
        BrokerConfig d = BrokerConfig.defaults().onEphemeralPorts();
        BrokerConfig config = new BrokerConfig(d.listeners(), d.limits(), true, 0, 1);
        try (StratusBroker broker = new StratusBroker(config)) {
            broker.start();
            Options o = Options.parse(new String[] {
                "--port", Integer.toString(broker.port("tcp")), "--scenario", "fanin", "--qos", "1",
                "--seconds", "1", "--warmup", "0.2", "--drain", "2", "--label", "in-process",
                // 50 publishers x 16 stay below the broker's default queue of 1,000 per session
                "--e2e-window", "16",
                "--broker-pid", Long.toString(ProcessHandle.current().pid())});

            Report r = Scenarios.run(o);

            assertEquals("none", r.get("loss"), r.line());
            assertEquals(0, r.number("lost"), r.line());
            assertEquals(0, r.number("duplicates"), r.line());
            assertEquals(0, r.number("invalid"), r.line());
            assertEquals(0, r.number("disconnects"), r.line());
            assertEquals(0, r.number("unacked"), r.line());
            assertEquals(r.number("sent_expected"), r.number("received"), r.line());
            assertEquals(r.number("sent_expected"), r.number("acked"), r.line());
            assertTrue(r.number("msgs_per_s") > 0, r.line());
            assertEquals("true", r.get("ok"), r.line());
        }
    }

    @Test
    void histogramPercentilesAreWithinItsPrecision() {
        LogHistogram h = new LogHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1000);
        }
        assertEquals(100_000, h.count());
        assertEquals(100_000_000, h.max());
        long p50 = h.percentile(50);
        long p99 = h.percentile(99);
        assertTrue(p50 >= 50_000_000 && p50 <= 50_000_000 * 1.008, "p50 " + p50);
        assertTrue(p99 >= 99_000_000 && p99 <= 99_000_000 * 1.008, "p99 " + p99);
        for (int i = 0; i < 7000; i++) {
            assertTrue(LogHistogram.lowestInBucket(i + 1) == LogHistogram.highestInBucket(i) + 1, "bucket " + i);
            assertEquals(i, LogHistogram.index(LogHistogram.lowestInBucket(i)));
            assertEquals(i, LogHistogram.index(LogHistogram.highestInBucket(i)));
        }
    }

    @Test
    void sequenceTrackerCountsGapsDuplicatesAndReordering() {
        SeqTracker t = new SeqTracker();
        for (long s : new long[] {0, 1, 3, 2, 2, 5, 1000}) {
            t.record(s);
        }
        assertEquals(6, t.distinct());
        assertEquals(1, t.duplicates());
        assertEquals(1, t.outOfOrder());
        assertEquals(1, t.missing(5)); // 4 is missing among 0..4
        assertEquals(1000 - 6 + 1, t.missing(1001));
        assertEquals(2, t.beyond(4)); // 5 and 1000 were never sent if only 0..3 were
    }
}
