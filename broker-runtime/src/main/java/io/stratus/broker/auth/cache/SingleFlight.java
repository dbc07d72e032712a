package io.stratus.broker.auth.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs one piece of work per key at a time and lets every concurrent caller for that key share its
 * result, for slow calls whose results are not cached (a plugin that forbids caching, a directory
 * look-up). {@link AuthDecisionCache} does the same for cached decisions. Once the work finishes, the
 * next call starts it afresh. Thread-safe.
 *
 * @param <K> what identifies the work
 * @param <V> its result
 */
public final class SingleFlight<K, V> {

    private final ConcurrentHashMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    /**
     * @param work started only if no work for {@code key} is under way
     * @return the result of the work under way for {@code key}, or of {@code work}
     */
    public CompletionStage<V> run(K key, Supplier<? extends CompletionStage<V>> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> existing = running.putIfAbsent(key, mine);
        if (existing != null) {
            return existing.minimalCompletionStage();
        }
        CompletionStage<V> stage;
        try {
            stage = work.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedStage(e);
        }
        stage.whenComplete((value, error) -> {
            running.remove(key, mine); // before completing, so a caller reacting to the result starts afresh
            if (error == null) {
                mine.complete(value);
            } else {
                mine.completeExceptionally(error);
            }
        });
        return mine.minimalCompletionStage();
    }

    /** @return how many keys have work under way */
    public int inFlight() {
        return running.size();
    }
}
