package io.stratus.testkit;

import io.stratus.sdk.PluginContext;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.hook.MessageDecision;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The plugin the kit's tests run: its inbound hook shouts (upper-cases payloads, with the configured
 * suffix) and throws on topic {@code boom}; its authenticator lets in the configured user and refuses
 * everyone else. It refers to nothing but the SDK and the JDK, so it also runs from a JAR.
 */
public final class ShoutingPlugin implements StratusPlugin {

    @Override
    public void start(PluginContext context) {
        String suffix = context.configuration().getString("suffix", "!");
        String user = context.configuration().getString("user", "admin");
        context.registerInboundPublishHook((sender, packet) -> {
            if (packet.topic().equals("boom")) {
                throw new IllegalStateException("boom");
            }
            String text = new String(packet.payloadBytes(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT) + suffix;
            return CompletableFuture.completedStage(MessageDecision.replace(
                packet.toBuilder().payload(text.getBytes(StandardCharsets.UTF_8)).build()));
        });
        context.registerAuthenticator(request -> CompletableFuture.completedStage(
            request.username().filter(user::equals).isPresent() ? AuthResult.allow()
                : AuthResult.deny(DenyReason.BAD_CREDENTIALS, "unknown user")));
    }
}
