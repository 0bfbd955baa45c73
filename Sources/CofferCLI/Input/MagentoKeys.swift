import CofferSodium

/// Magento Marketplace keys are 32 characters; anything else is probably a paste error, but not refused.
func warnUnlessMagentoKeyLength(_ what: String, _ length: Int) {
    if length != 32 { Console.warning("the \(what) is \(Text.count(length, "character", "characters")); marketplace keys are 32") }
}

extension Secret {
    /// The number of characters (UTF-8 lead bytes), for length warnings, without a copy of the text.
    var characterCount: Int {
        withUnsafeBytes { bytes in bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }
    }
}
