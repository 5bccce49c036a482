package dev.lichen.gateway.store;

import dev.lichen.gateway.testing.PostgresCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The same store tests against a real PostgreSQL 15 started for this class. */
class PostgresStoreTest extends StoreContract {
    static PostgresCluster cluster;
    Store store;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PostgresCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
    }

    @BeforeEach
    void open() throws Exception {
        store = Store.open(Path.of("unused"), cluster.newDatabase());
        org.junit.jupiter.api.Assertions.assertEquals("postgresql", store.dialect());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    Store store() {
        return store;
    }
}
