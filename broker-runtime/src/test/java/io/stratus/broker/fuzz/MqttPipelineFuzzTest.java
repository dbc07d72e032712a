package io.stratus.broker.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stratus.broker.support.EmbeddedMqttChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz tests of the whole connection pipeline (decoder, CONNECT handling and the session's state
 * machine) on an embedded channel. In the normal test run they replay the checked-in corpus under
 * {@code src/test/resources/io/stratus/broker/fuzz/MqttPipelineFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} they search for new inputs.
 *
 * <p>Whatever the bytes, the broker must never let an exception escape the pipeline, never hang,
 * and after the client goes away it must hold no connection and no clean session.
 */
class MqttPipelineFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesBeforeConnectNeverEscapeThePipeline(byte[] data) throws Exception {
        try (EmbeddedMqttChannel client = EmbeddedMqttChannel.open()) {
            client.send(data);
            client.readPackets();
            client.closeFromClient();
            assertNoConnectionsLeft(client);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anyPacketsAfterConnectKeepTheSessionStateMachineSound(FuzzedDataProvider data) throws Exception {
        boolean v5 = data.consumeBoolean();
        try (EmbeddedMqttChannel client = v5 ? EmbeddedMqttChannel.connected5()
            : EmbeddedMqttChannel.connected311()) {
            // the bytes arrive in arbitrary pieces, as TCP may deliver them
            while (data.remainingBytes() > 0 && client.isOpen()) {
                int piece = data.consumeInt(1, 64);
                client.send(data.consumeBytes(piece));
                client.readPackets();
            }
            client.closeFromClient();
            assertFalse(client.isOpen());
            assertNoConnectionsLeft(client);
        }
    }

    private static void assertNoConnectionsLeft(EmbeddedMqttChannel client) {
        assertEquals(0, client.defaultTenant().metrics().clientsConnected.get(), "connected-clients gauge");
        // the fuzzed CONNECTs ask for clean sessions or are refused, so no session may outlive them
        assertTrue(client.defaultTenant().sessions().size() <= 1, "sessions left behind");
    }
}
