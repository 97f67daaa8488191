public class Loader {
    static void init() {
        // ruleid: java-native-code
        System.load("/opt/lib/libfast.so");
    }
}
