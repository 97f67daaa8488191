import ctypes

# ruleid: python-ctypes-native
lib = ctypes.CDLL("./libfast.so")
