import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Amazon's DynamoDB Local on 127.0.0.1 and a port the system picks, for the benchmarks'
 * cross-check (tests/bench/dynamodb-emulator.ts). DynamoDB Local itself listens on every
 * interface and refuses port 0; this launcher builds the same server from the same command
 * line (ServerRunner), points its one Jetty connector at loopback and port 0 before it starts,
 * then prints the port it got as a line of its own. Run in Java's source-file mode:
 *
 *   java -Djava.library.path=DIR/DynamoDBLocal_lib -cp DIR/DynamoDBLocal.jar \
 *     dynamodb-local-launcher.java -inMemory -sharedDb -disableTelemetry -port 65535
 *
 * (`-port` must still be valid to pass DynamoDB Local's own check; it is replaced by 0.)
 */
public class DynamoDbLocalLauncher {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ServerConnector http = (ServerConnector) connector;
      http.setHost("127.0.0.1");
      http.setPort(0);
    }
    proxy.start();
    System.out.println(((ServerConnector) server.getConnectors()[0]).getLocalPort());
    proxy.join();
  }
}
