package io.stratus.sdk.auth;

import io.stratus.sdk.client.MqttVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthValuesTest {

    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40_000);

    @ParameterizedTest
    @CsvSource({
        "BAD_CREDENTIALS, 0x86, 0x04",
        "NOT_AUTHORIZED, 0x87, 0x05",
        "BANNED, 0x8A, 0x05",
        "SERVER_BUSY, 0x89, 0x03",
        "BAD_AUTHENTICATION_METHOD, 0x8C, 0x05",
    })
    void mapsEachDenyReasonToTheMqttCodesOfBothVersions(DenyReason reason, String v5, String v3) {
        assertEquals(Integer.decode(v5), reason.mqtt5ReasonCode());
        assertEquals(Integer.decode(v3), reason.mqtt3ReturnCode());
    }

    @Test
    void carriesAttributesOnAnAllowingResult() {
        AuthResult r = AuthResult.allowBuilder().attribute("role", "sensor").attribute("site", "berlin").build();

        assertEquals(Decision.ALLOW, r.decision());
        assertEquals(Map.of("role", "sensor", "site", "berlin"), r.attributes());
        assertTrue(r.denyReason().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> r.attributes().put("x", "y"));
    }

    @Test
    void carriesReasonAndMessageOnADenyingResult() {
        AuthResult r = AuthResult.deny(DenyReason.BANNED, "device revoked");

        assertEquals(Decision.DENY, r.decision());
        assertEquals(DenyReason.BANNED, r.denyReason().orElseThrow());
        assertEquals("device revoked", r.message().orElseThrow());
        assertTrue(r.attributes().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> AuthResult.deny(null, "m"));
    }

    @Test
    void sharesTheConstantResults() {
        assertSame(AuthResult.next(), AuthResult.next());
        assertSame(AuthResult.allow(), AuthResult.allow());
        assertEquals(Decision.NEXT, AuthResult.next().decision());
    }

    @Test
    void refusesASuccessStepWithoutAnAllowingResult() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> AuthStep.success(AuthResult.next()));

        assertTrue(e.getMessage().contains("must allow"), e.getMessage());
    }

    @Test
    void copiesStepDataAndKeepsTheStateForTheNextStep() {
        byte[] challenge = {1, 2};
        AuthStep step = AuthStep.continueWith(challenge, "nonce");
        challenge[0] = 9;
        step.data().orElseThrow()[1] = 9;

        assertEquals(AuthStep.Kind.CONTINUE, step.kind());
        assertArrayEquals(new byte[] {1, 2}, step.data().orElseThrow());
        assertEquals("nonce", step.state().orElseThrow());
        assertTrue(step.result().isEmpty());
    }

    @Test
    void rejectsStepDataLongerThanMqttBinaryData() {
        assertThrows(IllegalArgumentException.class, () -> AuthStep.continueWith(new byte[65_536]));
    }

    @Test
    void carriesTheDenyOfAFailureStep() {
        AuthStep step = AuthStep.failure(DenyReason.BAD_CREDENTIALS, "bad signature");

        assertEquals(AuthStep.Kind.FAILURE, step.kind());
        assertEquals(DenyReason.BAD_CREDENTIALS, step.result().orElseThrow().denyReason().orElseThrow());
        assertTrue(step.data().isEmpty());
    }

    @Test
    void givesTheExchangeStateOnlyAsTheTypeItHas() {
        AuthExchange exchange = AuthExchange.builder().authenticationMethod("SCRAM-SHA-256")
            .connectRequest(request().build()).state("nonce").build();

        assertEquals("nonce", exchange.state(String.class).orElseThrow());
        assertTrue(exchange.state(byte[].class).isEmpty());
        assertFalse(exchange.reauthentication());
    }

    @Test
    void copiesThePasswordOnEveryRead() {
        ConnectRequest r = request().password("s3cret".getBytes(StandardCharsets.UTF_8)).build();

        r.password().orElseThrow()[0] = 'X';

        assertEquals("s3cret", r.passwordAsUtf8().orElseThrow());
        assertFalse(r.toString().contains("s3cret"), r.toString());
    }

    @Test
    void requiresTheClientIdAndRemoteAddressOfAConnectRequest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ConnectRequest.builder().clientId("c").build());

        assertEquals("remoteAddress must not be null", e.getMessage());
    }

    @Test
    void defaultsAConnectRequestToMqtt5WithoutCredentials() {
        ConnectRequest r = request().build();

        assertEquals(MqttVersion.V5, r.mqttVersion());
        assertTrue(r.username().isEmpty());
        assertTrue(r.password().isEmpty());
        assertTrue(r.clientCertificateChain().isEmpty());
        assertTrue(r.authenticationData().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#", "#", "+", "a/+/c", "$share/g/a/#", "/"})
    void acceptsValidTopicFilters(String filter) {
        assertEquals(filter, SubscribeRequest.of(filter, 1).topicFilter());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "a/b+", "+a/b", "##"})
    void rejectsMisplacedWildcardsInATopicFilter(String filter) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubscribeRequest.of(filter, 0));

        assertTrue(e.getMessage().startsWith("topicFilter "), e.getMessage());
    }

    @Test
    void marksWillPublishRequests() {
        assertTrue(PublishRequest.will("status/c", 1, true).will());
        assertFalse(PublishRequest.of("status/c", 1, true).will());
        assertThrows(IllegalArgumentException.class, () -> PublishRequest.of("status/#", 0, false));
    }

    @Test
    void keepsTheReasonOfAnAclDeny() {
        assertEquals("not its topic", AclResult.deny("not its topic").reason().orElseThrow());
        assertEquals(Decision.DENY, AclResult.deny().decision());
        assertTrue(AclResult.allow().reason().isEmpty());
    }

    private static ConnectRequest.Builder request() {
        return ConnectRequest.builder().clientId("c1").remoteAddress(REMOTE);
    }
}
