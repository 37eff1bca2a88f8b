/** The parts of aws-kinesis-agg (KPL aggregation format) the collector uses; its own types need aws-sdk v2. */
declare module 'aws-kinesis-agg/lib/kpl-agg' {
  interface UserRecord {
    partitionKey: string;
    explicitHashKey?: string;
    data: Buffer | string;
  }
  interface EncodedRecord {
    partitionKey: string;
    data: Buffer;
  }
  class RecordAggregator {
    addUserRecord(record: UserRecord): void;
    checkIfUserRecordFits(record: UserRecord): boolean;
    calculateUserRecordSize(record: UserRecord): number;
    build(): EncodedRecord | undefined;
    length(): number;
  }
}

declare module 'aws-kinesis-agg/lib/kpl-deagg' {
  interface DeaggregatedRecord {
    partitionKey: string;
    explicitPartitionKey?: string;
    sequenceNumber: string;
    subSequenceNumber?: number;
    data: string;
  }
  function deaggregateSync(
    kinesisRecord: {
      data: string;
      partitionKey: string;
      sequenceNumber: string;
      approximateArrivalTimestamp?: number;
    },
    computeChecksums: boolean,
    afterRecordCallback: (error: Error | null, userRecords?: DeaggregatedRecord[]) => void,
  ): void;
}
