import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresOperation } from '../access/access.decorators';
import type { AuthenticatedRequest } from '../access/access.guard';
import { PageQueryDto } from '../pagination/page-query.dto';
import { SecretAnswer } from '../idempotency/secret-answer.decorator';
import { WebhookSubscriptions } from './subscriptions/webhook-subscriptions.service';
import { CreateWebhookSubscriptionDto, ListDeliveriesDto, UpdateWebhookSubscriptionDto } from './subscriptions/webhook-subscription.dto';
import { WebhookDeliveryLog } from './deliveries/webhook-delivery-log.service';
import { WebhookDispatcher } from './deliveries/webhook-dispatcher.service';
import { ProblemCode } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import { ApiCredentials, ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import type { RemovedWebhookSubscriptionView, WebhookSubscriptionSecretView, WebhookSubscriptionView } from './subscriptions/webhook-subscription.view';
import type { WebhookDeliveryView } from './deliveries/webhook-delivery.view';

const NOT_FOUND = { 404: [ProblemCode.notFound] } as const;

@ApiTags('webhooks (事件推送)')
// Subscriptions belong to a client system: a staff token is refused (403).
@ApiCredentials('apiKey', 'clientCertificate')
@Controller('api/v1/webhooks')
@RequiresOperation('webhooks:manage')
export class WebhooksController {
  constructor(
    private readonly subscriptions: WebhookSubscriptions,
    private readonly log: WebhookDeliveryLog,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  @Post('subscriptions')
  @SecretAnswer()
  @ApiOperation({ summary: 'Subscribe this client system to events of its regions; the signing secret is shown only in this response' })
  @ApiResult('WebhookSubscriptionSecretView')
  @ApiProblems({ 400: [ProblemCode.webhookUrlRefused], 409: [ProblemCode.webhookSubscriptionLimit] })
  create(@Req() req: AuthenticatedRequest, @Body() dto: CreateWebhookSubscriptionDto): Promise<WebhookSubscriptionSecretView> {
    return this.subscriptions.create(req.principal, dto);
  }

  @Get('subscriptions')
  @ApiOperation({ summary: "This client system's subscriptions, oldest first (paginated), without secrets" })
  @ApiResult('WebhookSubscriptionPage')
  list(@Req() req: AuthenticatedRequest, @Query() q: PageQueryDto): Promise<Page<WebhookSubscriptionView>> {
    return this.subscriptions.list(req.principal, q.page, q.pageSize);
  }

  @Get('subscriptions/:id')
  @ApiOperation({ summary: 'One subscription, without its secret' })
  @ApiResult('WebhookSubscriptionView')
  @ApiProblems(NOT_FOUND)
  get(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<WebhookSubscriptionView> {
    return this.subscriptions.get(req.principal, id);
  }

  @Patch('subscriptions/:id')
  @ApiOperation({ summary: 'Change the URL, event types, regions or description; pause or resume' })
  @ApiResult('WebhookSubscriptionView')
  @ApiProblems(NOT_FOUND, { 400: [ProblemCode.webhookUrlRefused] })
  async update(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() dto: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionView> {
    const view = await this.subscriptions.update(req.principal, id, dto);
    // Resumed: what waited for this subscription is sent now.
    if (view.status === 'active') await this.dispatcher.enqueueReady([view.id]);
    return view;
  }

  @Delete('subscriptions/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a subscription: nothing more is sent to it' })
  @ApiResult('RemovedWebhookSubscriptionView')
  @ApiProblems(NOT_FOUND)
  remove(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<RemovedWebhookSubscriptionView> {
    return this.subscriptions.remove(req.principal, id);
  }

  @Post('subscriptions/:id/rotate-secret')
  @HttpCode(200)
  @SecretAnswer()
  @ApiOperation({ summary: 'A new signing secret (shown once); the previous one still signs (a second v1) for WEBHOOK_SECRET_GRACE_HOURS' })
  @ApiResult('WebhookSubscriptionSecretView')
  @ApiProblems(NOT_FOUND)
  rotate(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<WebhookSubscriptionSecretView> {
    return this.subscriptions.rotateSecret(req.principal, id);
  }

  @Get('subscriptions/:id/deliveries')
  @ApiOperation({ summary: 'The delivery log, in delivery order (paginated): status, attempts with status code, error and duration' })
  @ApiResult('WebhookDeliveryPage')
  @ApiProblems(NOT_FOUND)
  deliveries(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Query() q: ListDeliveriesDto): Promise<Page<WebhookDeliveryView>> {
    return this.log.list(req.principal, id, q);
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a dead-lettered (or delivered) delivery again, in its order' })
  @ApiResult('WebhookDeliveryView')
  @ApiProblems(NOT_FOUND, { 409: [ProblemCode.illegalTransition] })
  redeliver(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<WebhookDeliveryView> {
    return this.log.redeliver(req.principal, id);
  }
}
