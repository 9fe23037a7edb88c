// The API's shapes are the server's own (src/api/contract.ts): one module both sides compile against.
export * from '../../src/api/contract';
