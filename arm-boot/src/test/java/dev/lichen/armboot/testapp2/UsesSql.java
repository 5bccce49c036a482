package dev.lichen.armboot.testapp2;

/** An "appliance" that needs java.sql, for the missing-module check. */
public final class UsesSql {
    public static void main(String[] args) throws Exception {
        java.sql.DriverManager.getConnection(args[0]);
    }
}
