import Testing
import Security

@Suite struct APIKeyStoreTests {
    /// `printf %s alpha-secret-123 | sha256sum` and the same for `beta-secret-456`.
    static let alphaHex = "7e182fe6f0a9ca21aff30af40f046980f298b6ad0f68760b42d729b31b668eaa"
    static let betaHex = "026853c772b43ff6bb63b05fa0025b6f45eae28bd9f84b38a72d495ae71c4d32"

    @Test func plainKeysAreNamedByPositionAndAuthenticate() {
        let store = APIKeyStore(plainKeys: ["alpha-secret-123", "beta-secret-456"], hashedKeys: [])
        #expect(store.count == 2)
        #expect(!store.isEmpty)
        #expect(store.authenticate("alpha-secret-123") == APIKeyIdentity(name: "key1"))
        #expect(store.authenticate("beta-secret-456") == APIKeyIdentity(name: "key2"))
    }

    @Test func hashedKeysFromTheFileAuthenticateUnderTheirNames() throws {
        let hashed = try APIKeyStore.parseFile("ci sha256:\(Self.alphaHex)\nops sha256:\(Self.betaHex)\n")
        let store = APIKeyStore(plainKeys: ["gamma-secret-789"], hashedKeys: hashed)
        #expect(store.names == ["key1", "ci", "ops"])
        #expect(store.authenticate("alpha-secret-123")?.name == "ci")
        #expect(store.authenticate("beta-secret-456")?.name == "ops")
        #expect(store.authenticate("gamma-secret-789")?.name == "key1")
    }

    @Test func wrongEmptyAndPrefixKeysAreRefused() {
        let store = APIKeyStore(plainKeys: ["alpha-secret-123"], hashedKeys: [])
        #expect(store.authenticate("alpha-secret-124") == nil)
        #expect(store.authenticate("") == nil)
        #expect(store.authenticate("alpha-secret-12") == nil)
        #expect(store.authenticate("alpha-secret-1234") == nil)
        #expect(store.authenticate("ALPHA-SECRET-123") == nil)
    }

    @Test func anEmptyStoreAuthenticatesNothing() {
        let store = APIKeyStore(plainKeys: [], hashedKeys: [])
        #expect(store.isEmpty)
        #expect(store.count == 0)
        #expect(store.authenticate("anything") == nil)
    }

    @Test func theStoreDescribesItselfWithoutKeyMaterial() {
        let store = APIKeyStore(plainKeys: ["alpha-secret-123"], hashedKeys: [])
        let texts = [String(describing: store), String(reflecting: store)]
        var dumped = ""
        dump(store, to: &dumped)
        for text in texts + [dumped] {
            #expect(text.contains("key1"))
            #expect(!text.contains("alpha-secret"))
            #expect(!text.contains("7e182fe6"))
            #expect(!text.contains("126"))  // the first digest byte, 0x7e, in decimal
        }
        #expect(String(describing: store) == "APIKeyStore(1 key: key1)")
    }

    @Test func plainKeyListIgnoresBlanksAndEmptyEntries() {
        #expect(APIKeyStore.parsePlainKeys(" alpha , beta,,\tgamma ,") == ["alpha", "beta", "gamma"])
        #expect(APIKeyStore.parsePlainKeys("") == [])
        #expect(APIKeyStore.parsePlainKeys(" , ") == [])
    }

    @Test func presentedKeyFromBearerOrXAPIKey() {
        #expect(APIKeyStore.presentedKey(authorization: "Bearer k", apiKeyHeader: nil) == "k")
        #expect(APIKeyStore.presentedKey(authorization: "bearer  k", apiKeyHeader: nil) == "k")
        #expect(APIKeyStore.presentedKey(authorization: "BEARER abc.def-_~+/=", apiKeyHeader: nil) == "abc.def-_~+/=")
        #expect(APIKeyStore.presentedKey(authorization: "Basic x", apiKeyHeader: nil) == nil)
        #expect(APIKeyStore.presentedKey(authorization: nil, apiKeyHeader: "k2") == "k2")
        #expect(APIKeyStore.presentedKey(authorization: nil, apiKeyHeader: " k2 ") == "k2")
        #expect(APIKeyStore.presentedKey(authorization: "Basic x", apiKeyHeader: "k2") == "k2")
        #expect(APIKeyStore.presentedKey(authorization: "Bearer k", apiKeyHeader: "k2") == "k")
        #expect(APIKeyStore.presentedKey(authorization: nil, apiKeyHeader: nil) == nil)
    }

    @Test func malformedAuthorizationPresentsNothing() {
        for field in ["Bearer", "Bearer ", "Bearerk", "Bearer\tk", "Bearer a b", "Bear k", ""] {
            #expect(APIKeyStore.presentedKey(authorization: field, apiKeyHeader: nil) == nil, "\(field)")
        }
        #expect(APIKeyStore.presentedKey(authorization: nil, apiKeyHeader: "") == nil)
        #expect(APIKeyStore.presentedKey(authorization: nil, apiKeyHeader: "a b") == nil)
    }
}
