package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;
import io.stratus.sdk.client.ClientIdentity;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Looks up and disconnects the plugin's tenant's connected clients, for example to cut off a device
 * whose credential was revoked in a back end the plugin watches.
 *
 * <p>Thread-safe; never blocks.
 *
 * @since 1.0
 */
@DoNotImplement
public interface ClientService {

    /**
     * Disconnects a connected client of the tenant. An MQTT 5 client receives DISCONNECT with reason
     * code 0x98 (Administrative action); its Will message is published as for any unexpected
     * disconnection.
     *
     * @param clientId the client's identifier
     * @param reason   why, for the audit log (not sent to the client)
     * @return a stage completing with true once the client was disconnected, or false if no client
     *     with that id was connected
     * @throws NullPointerException if either argument is null
     * @since 1.0
     */
    CompletionStage<Boolean> disconnect(String clientId, String reason);

    /**
     * Looks up a connected client of the tenant, from the broker's memory.
     *
     * @param clientId the client's identifier
     * @return its identity, if a client with that id is connected
     * @throws NullPointerException if {@code clientId} is null
     * @since 1.0
     */
    Optional<ClientIdentity> identity(String clientId);
}
