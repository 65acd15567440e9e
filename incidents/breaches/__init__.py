"""C.2 and C.3 security breaches (sikkerhetsbrudd): a bank's breach reported to Lånekassen and
Bits, and a breach at Lånekassen told to the banks it affects. The second case type of the
`incidents` app, kept in its own modules; error reports (C.1) are the app's top-level modules."""
