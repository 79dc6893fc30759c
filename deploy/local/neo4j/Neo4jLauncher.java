// Embedded Neo4j Community with a Bolt connector, for local runs and tests (deploy/local/neo4j.sh).
// Java single-file source mode, no build step:  java -cp 'jars/*' Neo4jLauncher.java DATA_DIR [PORT]
// Binds 127.0.0.1 only, auth disabled; shuts the database down cleanly on SIGTERM/SIGINT.
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Neo4jLauncher {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: java -cp 'jars/*' Neo4jLauncher.java DATA_DIR [PORT]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 7687;
    long pageCacheMb = Long.parseLong(System.getProperty("neo4j.pagecache.mb", "256"));

    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
        .setConfig(GraphDatabaseSettings.auth_enabled, false)
        .setConfig(GraphDatabaseSettings.udc_enabled, false)
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
        .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Neo4j shutting down");
      dbms.shutdown();
      System.out.println("Neo4j stopped");
      stopped.countDown();
    }, "neo4j-shutdown"));

    if (!dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).isAvailable(120_000)) {
      System.err.println("Neo4j database did not become available");
      System.exit(1);
    }
    System.out.println("Neo4j ready on bolt://127.0.0.1:" + port + " (data " + home + ")");
    stopped.await();
  }
}
