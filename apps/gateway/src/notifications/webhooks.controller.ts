import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresOperation } from '../access/access.decorators';
import type { AuthenticatedRequest } from '../access/access.guard';
import { PageQueryDto } from '../pagination/page-query.dto';
import { SecretAnswer } from '../idempotency/secret-answer.decorator';
import { WebhookSubscriptions } from './subscriptions/webhook-subscriptions.service';
import { CreateWebhookSubscriptionDto, ListDeliveriesDto, UpdateWebhookSubscriptionDto } from './subscriptions/webhook-subscription.dto';
import { WebhookDeliveryLog } from './deliveries/webhook-delivery-log.service';
import { WebhookDispatcher } from './deliveries/webhook-dispatcher.service';

@ApiTags('webhooks (事件推送)')
@ApiSecurity('apiKey')
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
  create(@Req() req: AuthenticatedRequest, @Body() dto: CreateWebhookSubscriptionDto) {
    return this.subscriptions.create(req.principal, dto);
  }

  @Get('subscriptions')
  list(@Req() req: AuthenticatedRequest, @Query() q: PageQueryDto) {
    return this.subscriptions.list(req.principal, q.page, q.pageSize);
  }

  @Get('subscriptions/:id')
  get(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.subscriptions.get(req.principal, id);
  }

  @Patch('subscriptions/:id')
  @ApiOperation({ summary: 'Change the URL, event types, regions or description; pause or resume' })
  async update(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() dto: UpdateWebhookSubscriptionDto) {
    const view = await this.subscriptions.update(req.principal, id, dto);
    // Resumed: what waited for this subscription is sent now.
    if (view.status === 'active') await this.dispatcher.enqueueReady([view.id]);
    return view;
  }

  @Delete('subscriptions/:id')
  @HttpCode(200)
  remove(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.subscriptions.remove(req.principal, id);
  }

  @Post('subscriptions/:id/rotate-secret')
  @HttpCode(200)
  @SecretAnswer()
  @ApiOperation({ summary: 'A new signing secret (shown once); the previous one still signs (a second v1) for WEBHOOK_SECRET_GRACE_HOURS' })
  rotate(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.subscriptions.rotateSecret(req.principal, id);
  }

  @Get('subscriptions/:id/deliveries')
  @ApiOperation({ summary: 'The delivery log: status, attempts with status code, error and duration' })
  deliveries(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Query() q: ListDeliveriesDto) {
    return this.log.list(req.principal, id, q);
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a dead-lettered (or delivered) delivery again, in its order' })
  redeliver(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.log.redeliver(req.principal, id);
  }
}
