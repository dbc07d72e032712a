package io.stratus.sdk.hook;

import io.stratus.sdk.message.PublishPacket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HookValuesTest {

    @Test
    void carriesTheReplacementOrTheDropReason() {
        PublishPacket p = PublishPacket.of("t", new byte[0]);

        assertEquals(p, MessageDecision.replace(p).packet().orElseThrow());
        assertEquals(MessageDecision.Action.REPLACE, MessageDecision.replace(p).action());
        assertEquals("spam", MessageDecision.drop("spam").reason().orElseThrow());
        assertTrue(MessageDecision.pass().packet().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> MessageDecision.replace(null));
        assertThrows(IllegalArgumentException.class, () -> MessageDecision.drop(null));
    }

    @Test
    void validatesSubscriptionOptions() {
        assertThrows(IllegalArgumentException.class, () -> SubscriptionInfo.builder().retainHandling(3));
        assertThrows(IllegalArgumentException.class, () -> SubscriptionInfo.builder().topicFilter("a/#/b"));
        assertThrows(IllegalArgumentException.class, () -> DisconnectInfo.builder().reasonCode(256));
    }

    @Test
    void completesTheDefaultListenerMethodsAtOnce() {
        LifecycleListener listener = new LifecycleListener() { };

        assertTrue(listener.onUnsubscribed(null, List.of("a")).toCompletableFuture().isDone());
        assertTrue(listener.onConnected(null).toCompletableFuture().isDone());
    }
}
