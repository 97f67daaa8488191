public class Fast {
    static {
        // ruleid: java-native-code
        System.loadLibrary("fast");
    }
    public native int sum(int[] values);
}
