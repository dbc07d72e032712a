package io.stratus.broker.routing;

import java.util.ArrayList;
import java.util.List;

/** Shorthands for building filters, subscriptions and match results in tests. */
final class Fixtures {

    static final int MAX_LENGTH = 65_535;
    static final int MAX_LEVELS = 128;

    private Fixtures() {
    }

    static TopicFilter filter(String raw) {
        try {
            return TopicFilter.parse(raw, MAX_LENGTH, MAX_LEVELS);
        } catch (InvalidTopicException e) {
            throw new AssertionError("fixture filter is invalid: " + raw, e);
        }
    }

    static Subscription subscription(Subscriber subscriber, String rawFilter) {
        return subscription(subscriber, rawFilter, 1, 0);
    }

    static Subscription subscription(Subscriber subscriber, String rawFilter, int qos, int subscriptionId) {
        return new Subscription(subscriber, filter(rawFilter), SubscriptionOptions.ofQos(qos), subscriptionId);
    }

    /** Records every visit, in order, so tests can assert on both what was visited and how often. */
    static final class RecordingVisitor implements MatchVisitor {
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<SharedGroup> groups = new ArrayList<>();

        @Override
        public void onSubscription(Subscription subscription) {
            subscriptions.add(subscription);
        }

        @Override
        public void onSharedGroup(SharedGroup group) {
            groups.add(group);
        }

        List<String> rawFilters() {
            List<String> raws = new ArrayList<>();
            subscriptions.forEach(s -> raws.add(s.filter().raw()));
            return raws;
        }

        List<String> groupFilters() {
            List<String> raws = new ArrayList<>();
            groups.forEach(g -> raws.add(g.filter().raw()));
            return raws;
        }

        int visits() {
            return subscriptions.size() + groups.size();
        }
    }

    static RecordingVisitor match(TopicTree tree, String topic) {
        RecordingVisitor visitor = new RecordingVisitor();
        tree.match(topic, visitor);
        return visitor;
    }
}
