package dev.lichen.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Prometheus text exposition: types, labels escaped, cumulative histogram buckets. */
class MetricsTest {
    @Test
    void rendersPrometheusText() {
        Metrics m = new Metrics();
        var c = m.counter("lichen_test_total", "A test counter", "protocol", "reason");
        c.inc("coap", "malformed");
        c.add(2, "mqtt", "say \"hi\"\n");
        m.gauge("lichen_depth", "Depth", () -> 42);
        var h = m.histogram("lichen_latency_seconds", "Latency", 0.01, 0.1, 1);
        h.observe(0.005);
        h.observe(0.05);
        h.observe(5);
        String text = m.render();
        assertTrue(text.contains("# HELP lichen_test_total A test counter\n# TYPE lichen_test_total counter\n"), text);
        assertTrue(text.contains("lichen_test_total{protocol=\"coap\",reason=\"malformed\"} 1\n"), text);
        assertTrue(text.contains("lichen_test_total{protocol=\"mqtt\",reason=\"say \\\"hi\\\"\\n\"} 2\n"), text);
        assertTrue(text.contains("# TYPE lichen_depth gauge\nlichen_depth 42\n"), text);
        assertTrue(text.contains("lichen_latency_seconds_bucket{le=\"0.01\"} 1\n"), text);
        assertTrue(text.contains("lichen_latency_seconds_bucket{le=\"0.1\"} 2\n"), text);
        assertTrue(text.contains("lichen_latency_seconds_bucket{le=\"1.0\"} 2\n"), text);
        assertTrue(text.contains("lichen_latency_seconds_bucket{le=\"+Inf\"} 3\n"), text);
        assertTrue(text.contains("lichen_latency_seconds_count 3\n"), text);
        assertEquals(1, m.value("lichen_test_total", "coap", "malformed"));
        assertEquals(42, m.value("lichen_depth"));
        assertTrue(m.counter("lichen_test_total", "again", "protocol", "reason") == c, "same name, same family");
    }
}
