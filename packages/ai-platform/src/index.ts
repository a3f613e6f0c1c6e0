export {
  Container,
  ContainerError,
  type Lifetime,
  type Provider,
  type Resolver,
  type Token,
  token,
} from './container.js';
