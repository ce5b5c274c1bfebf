/** `studyopt/testing`: suites a new backend or plug-in runs to show it keeps studyopt's contracts. */
export { storageContract, type StorageUnderTest, type TestApi } from './storage-contract.js';
