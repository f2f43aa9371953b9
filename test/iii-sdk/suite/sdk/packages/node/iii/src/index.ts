export { ChannelReader, ChannelWriter } from './channels'

export { type InitOptions, registerWorker, TriggerAction } from './iii'

export type {
  EnqueueResult,
  HttpAuthConfig,
  HttpInvocationConfig,
  MessageType,
  RegisterFunctionMessage,
  RegisterTriggerMessage,
  RegisterTriggerTypeMessage,
  StreamChannelRef,
  TriggerAction as TriggerActionType,
  TriggerInfo,
  TriggerRequest,
} from './iii-types'

export { Logger } from './logger'

export type { TriggerConfig, TriggerHandler } from './triggers'

export type {
  ApiRequest,
  ApiResponse,
  Channel,
  FunctionRef,
  HttpRequest,
  HttpResponse,
  InternalHttpRequest,
  ISdk,
  RegisterFunctionInput,
  RegisterServiceInput,
  RegisterTriggerInput,
  RegisterTriggerTypeInput,
  RemoteFunctionHandler,
  Trigger,
} from './types'

export { http } from './utils'
